/** Float32 tensors on the wire: little-endian bytes, whatever the host's byte order. */

const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The little-endian bytes of `values` (a view, not a copy, on little-endian hosts). */
export function float32ToBytes(values: Float32Array): Uint8Array {
  if (hostIsLittleEndian) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return bytes;
}

/** Reads little-endian float32 bytes; copies only when alignment or byte order demand it. */
export function bytesToFloat32(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % 4 !== 0) throw new RangeError(`float32 data must be a multiple of 4 bytes, got ${bytes.byteLength}`);
  if (hostIsLittleEndian) {
    if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    return new Float32Array(bytes.slice().buffer);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float32Array.from({ length: bytes.byteLength / 4 }, (_, i) => view.getFloat32(i * 4, true));
}

/** Parses a shape header: a JSON array (`[784,10]`) or a bare comma list (`784,10`). */
export function parseShape(header: string | null): number[] | undefined {
  if (header == null || header.trim() === '') return undefined;
  const text = header.trim().startsWith('[') ? header : `[${header}]`;
  const shape: unknown = JSON.parse(text);
  if (!Array.isArray(shape) || !shape.every((n) => Number.isInteger(n) && n >= 0)) {
    throw new TypeError(`not a tensor shape: ${header}`);
  }
  return shape as number[];
}

/** Number of elements of a tensor with this shape. */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
