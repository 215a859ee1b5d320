/**
 * The records of one or more parse/finish calls as they leave the worker: all bytes end to
 * end, plus the runs that describe them (see RecordBlock). Two buffers cross per message.
 */
export interface EncodedRecords {
  bytes: Uint8Array;
  runs: Uint32Array;
}

/** Collects the records of several calls into two growing buffers, copied once. */
export class RecordsBuilder {
  private bytes: Uint8Array;
  private runs = new Uint32Array(64);
  private bytesUsed = 0;
  private runsUsed = 0;

  constructor(expectedBytes: number) {
    // Not zero-filled: only the bytes appended are ever read.
    this.bytes = Buffer.allocUnsafeSlow(expectedBytes);
  }

  /** Appends one call's records: `bytes` and `runs` (uint32 pairs) as the sandbox prelude packed them. */
  append(bytes: Uint8Array, runs: Uint8Array): void {
    this.bytes = reserve(this.bytes, this.bytesUsed, bytes.length);
    this.bytes.set(bytes, this.bytesUsed);
    this.bytesUsed += bytes.length;
    // A view on the wasm heap need not be 4-byte aligned: read it through a DataView.
    const view = new DataView(runs.buffer, runs.byteOffset, runs.byteLength);
    for (let at = 0; at < runs.byteLength; at += 8) this.addRun(view.getUint32(at, true), view.getUint32(at + 4, true));
  }

  /** The collected records (views on buffers that can be transferred whole). */
  finish(): EncodedRecords {
    return { bytes: this.bytes.subarray(0, this.bytesUsed), runs: this.runs.subarray(0, this.runsUsed) };
  }

  /** Adds a run, merged into the last one when the calls' records are alike. */
  private addRun(count: number, kind: number): void {
    if (this.runsUsed > 0 && this.runs[this.runsUsed - 1] === kind) {
      this.runs[this.runsUsed - 2] += count;
      return;
    }
    if (this.runsUsed + 2 > this.runs.length) {
      const grown = new Uint32Array(this.runs.length * 2);
      grown.set(this.runs);
      this.runs = grown;
    }
    this.runs[this.runsUsed++] = count;
    this.runs[this.runsUsed++] = kind;
  }
}

function reserve(buffer: Uint8Array, used: number, extra: number): Uint8Array {
  if (used + extra <= buffer.length) return buffer;
  const grown = Buffer.allocUnsafeSlow(Math.max(buffer.length * 2, used + extra));
  grown.set(buffer.subarray(0, used));
  return grown;
}
