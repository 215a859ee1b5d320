/** IDX files (the MNIST format): a 4-byte magic, big-endian uint32 dimensions, then uint8 data. */

const UBYTE = 0x08;

export interface IdxTensor {
  /** Dimensions, e.g. `[10000, 28, 28]` for images, `[10000]` for labels. */
  shape: number[];
  data: Uint8Array;
}

/** Encodes uint8 values with their shape as an IDX file. */
export function encodeIdx({ shape, data }: IdxTensor): Uint8Array<ArrayBuffer> {
  const expected = shape.reduce((a, b) => a * b, 1);
  if (data.length !== expected) throw new RangeError(`shape [${shape}] needs ${expected} bytes, got ${data.length}`);
  const header = 4 + 4 * shape.length;
  const out = new Uint8Array(header + data.length);
  const view = new DataView(out.buffer);
  view.setUint8(2, UBYTE);
  view.setUint8(3, shape.length);
  shape.forEach((dim, i) => view.setUint32(4 + 4 * i, dim, false));
  out.set(data, header);
  return out;
}

/** Decodes an IDX file of uint8 values; throws a readable error for anything else. */
export function decodeIdx(bytes: Uint8Array): IdxTensor {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) throw new Error('not an IDX file (bad magic number)');
  if (bytes[2] !== UBYTE) throw new Error(`IDX data type 0x${bytes[2].toString(16)} is not supported (only unsigned bytes, 0x08)`);
  const dims = bytes[3];
  const header = 4 + 4 * dims;
  if (bytes.length < header) throw new Error('IDX file is truncated inside its header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = Array.from({ length: dims }, (_, i) => view.getUint32(4 + 4 * i, false));
  const size = shape.reduce((a, b) => a * b, 1);
  if (bytes.length - header !== size) throw new Error(`IDX file holds ${bytes.length - header} data bytes but its header says ${size}`);
  return { shape, data: bytes.subarray(header) };
}
