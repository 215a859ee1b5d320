import type { ParsedRecord } from './types.js';

/**
 * The records of one parse/finish call as they leave the Lua state: all bytes end to end,
 * plus one uint32 per record holding `size * 2 + (1 if float32 else 0)`. Two buffers cross
 * wasm -> JS (and worker -> main thread) per call instead of one object per record.
 */
export interface EncodedRecords {
  bytes: Uint8Array;
  meta: Uint32Array;
}

/** Splits encoded records into ParsedRecords whose bytes are views on one shared buffer. */
export function decodeRecords({ bytes, meta }: EncodedRecords): ParsedRecord[] {
  const records: ParsedRecord[] = new Array(meta.length);
  let offset = 0;
  for (let i = 0; i < meta.length; i++) {
    const size = meta[i] >>> 1;
    records[i] = { dtype: meta[i] & 1 ? 'float32' : 'uint8', bytes: bytes.subarray(offset, offset + size) };
    offset += size;
  }
  return records;
}

/** Reads the little-endian uint32 array Lua's string.pack produced (copied, so it is aligned). */
export function metaFromBytes(bytes: Uint8Array): Uint32Array {
  const meta = new Uint32Array(bytes.length / 4);
  new Uint8Array(meta.buffer).set(bytes);
  return meta;
}
