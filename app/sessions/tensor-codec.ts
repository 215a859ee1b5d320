import { badRequest } from '../errors.js';

/** Element types a tensor crosses the wire in; the session itself always merges in float64. */
export type Dtype = 'float32' | 'float64';

export const bytesPerElement: Record<Dtype, number> = { float32: 4, float64: 8 };

// Wire and storage are little-endian and read through typed-array views, which use the
// host's byte order: refuse to run where the two differ rather than corrupt weights.
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('WebML sessions need a little-endian host (tensors are little-endian on the wire and on disk).');
}

/** Number of elements of a tensor with this shape. */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** True when both shapes list the same dimensions. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Parses `X-Tensor-Shape`: a JSON array (`[784,10]`) or a bare comma list (`784,10`), as the SDK sends. */
export function parseShapeHeader(header: string | undefined): number[] {
  if (header === undefined || header.trim() === '') {
    throw badRequest('Binary tensors need an X-Tensor-Shape header, e.g. "X-Tensor-Shape: [784,10]".');
  }
  const text = header.trim().startsWith('[') ? header : `[${header}]`;
  let shape: unknown;
  try {
    shape = JSON.parse(text);
  } catch {
    shape = null;
  }
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isSafeInteger(d) && d > 0)) {
    throw badRequest(`X-Tensor-Shape must list positive integers, e.g. [784,10]; got "${header}".`);
  }
  return shape;
}

/** Parses a dtype from `X-Tensor-Dtype` or `?dtype=`; float32 when absent. */
export function parseDtype(value: string | undefined, where: string): Dtype {
  if (value === undefined || value === '') return 'float32';
  const dtype = value.trim().toLowerCase();
  if (dtype === 'float32' || dtype === 'float64') return dtype;
  throw badRequest(`${where} must be float32 or float64, got "${value}".`);
}

/** Views little-endian bytes as floats (copying only if the bytes are misaligned). */
export function viewFloats(bytes: Uint8Array, dtype: Dtype): Float32Array | Float64Array {
  const size = bytesPerElement[dtype];
  const aligned = bytes.byteOffset % size === 0 ? bytes : bytes.slice();
  const length = aligned.byteLength / size;
  return dtype === 'float32'
    ? new Float32Array(aligned.buffer, aligned.byteOffset, length)
    : new Float64Array(aligned.buffer, aligned.byteOffset, length);
}

/** Little-endian bytes of the weights, always a copy (the live weights keep changing while a response streams). */
export function encodeFloats(weights: Float64Array, dtype: Dtype): Uint8Array<ArrayBuffer> {
  const copy = dtype === 'float32' ? new Float32Array(weights) : weights.slice();
  return new Uint8Array(copy.buffer);
}

/** Index of the first NaN or infinite element of `values[from..to)`, or -1. */
export function firstNonFinite(values: ArrayLike<number>, from = 0, to = values.length): number {
  // x * 0 is 0 for every finite x and NaN otherwise: one branch-free pass (~4x faster than
  // Number.isFinite per element), then a search only when something is wrong.
  let probe = 0;
  for (let i = from; i < to; i++) probe += values[i] * 0;
  if (probe === 0) return -1;
  for (let i = from; i < to; i++) if (!Number.isFinite(values[i])) return i;
  return -1;
}

/** The 400 for a non-finite element. */
export const nonFiniteError = (what: string, index: number, value: number) =>
  badRequest(`${what}[${index}] is ${value}; weights must be finite numbers.`);

/** Copies a parsed JSON `data` array of `count` finite numbers into float64, or throws a 400. */
export function jsonDataToFloats(data: unknown, count: number, what: string): Float64Array {
  if (!Array.isArray(data)) throw badRequest(`${what} must be an array of numbers.`);
  if (data.length !== count) {
    throw badRequest(`${what} has ${data.length} elements but the shape holds ${count}.`);
  }
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const v: unknown = data[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw badRequest(`${what}[${i}] is ${typeof v === 'number' ? v : (JSON.stringify(v) ?? typeof v)}; weights must be finite numbers.`);
    }
    out[i] = v;
  }
  return out;
}
