/** Accumulates one batch's record bytes in a single buffer (no per-record objects kept). */
export class ByteBatch {
  private buffer: Buffer;
  private length = 0;

  constructor(initialBytes: number) {
    this.buffer = Buffer.allocUnsafe(Math.max(initialBytes, 64));
  }

  get byteLength(): number {
    return this.length;
  }

  append(bytes: Uint8Array): void {
    if (this.length + bytes.byteLength > this.buffer.byteLength) {
      const grown = Buffer.allocUnsafe(Math.max(this.buffer.byteLength * 2, this.length + bytes.byteLength));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    this.buffer.set(bytes, this.length);
    this.length += bytes.byteLength;
  }

  /** The bytes so far; the batch must not be appended to afterwards. */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}
