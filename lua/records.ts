import type { ParsedRecord } from './types.js';

/**
 * The records of one or more parse/finish calls as they leave the worker: all bytes end to
 * end, plus one uint32 per record holding `size * 2 + (1 if float32 else 0)`. Two buffers
 * cross per message instead of one object per record.
 */
export interface EncodedRecords {
  bytes: Uint8Array;
  meta: Uint32Array;
}

/** Collects the records of several calls into two growing buffers, copied once. */
export class RecordsBuilder {
  private bytes: Uint8Array;
  private meta: Uint8Array = new Uint8Array(1024);
  private bytesUsed = 0;
  private metaUsed = 0;

  constructor(expectedBytes: number) {
    // Not zero-filled: only the bytes appended are ever read.
    this.bytes = Buffer.allocUnsafeSlow(expectedBytes);
  }

  /** Appends one call's records: `bytes` and `meta` as Lua's string.pack made them. */
  append(bytes: Uint8Array, meta: Uint8Array): void {
    this.bytes = reserve(this.bytes, this.bytesUsed, bytes.length);
    this.bytes.set(bytes, this.bytesUsed);
    this.bytesUsed += bytes.length;
    this.meta = reserve(this.meta, this.metaUsed, meta.length);
    this.meta.set(meta, this.metaUsed);
    this.metaUsed += meta.length;
  }

  /** The collected records (views on buffers that can be transferred whole). */
  finish(): EncodedRecords {
    return { bytes: this.bytes.subarray(0, this.bytesUsed), meta: new Uint32Array(this.meta.buffer, 0, this.metaUsed / 4) };
  }
}

function reserve(buffer: Uint8Array, used: number, extra: number): Uint8Array {
  if (used + extra <= buffer.length) return buffer;
  const grown = Buffer.allocUnsafeSlow(Math.max(buffer.length * 2, used + extra));
  grown.set(buffer.subarray(0, used));
  return grown;
}

/** Splits encoded records into ParsedRecords whose bytes are views on the one buffer. */
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
