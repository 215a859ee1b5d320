import type { Dtype, RecordBlock } from '../../lua/types.js';

/**
 * A parser's records as one sequence, out of the packed blocks it yields. Records are
 * consumed in runs of one dtype and size (`available`, `take`), so pairing costs one await
 * and one copy per run, never an object per record. Only the current block is held.
 */
export class RecordReader {
  private readonly source: AsyncIterator<RecordBlock>;
  private block: RecordBlock | null = null;
  /** Index of the current run in `block`, its records not yet taken, and the next record's byte offset. */
  private run = -1;
  private leftInRun = 0;
  private offset = 0;
  /** Records consumed so far. */
  count = 0;

  constructor(blocks: AsyncIterable<RecordBlock>) {
    this.source = blocks[Symbol.asyncIterator]();
  }

  /** How many records of one dtype and size can be taken now, waiting for the parser if none can; 0 once it is done. */
  async available(): Promise<number> {
    while (this.leftInRun === 0) {
      if (this.block && this.run + 1 < this.block.runCount) {
        this.leftInRun = this.block.runLength(++this.run);
        continue;
      }
      this.block = null;
      const step = await this.source.next();
      if (step.done) return 0;
      this.block = step.value;
      this.run = -1;
      this.offset = 0;
    }
    return this.leftInRun;
  }

  /** Dtype of the records `available()` counted. */
  get dtype(): Dtype {
    return this.block!.dtype(this.run);
  }

  /** Size in bytes of each record `available()` counted. */
  get recordBytes(): number {
    return this.block!.recordBytes(this.run);
  }

  /** Consumes `n` records (at most `available()`) and returns their bytes: a view, valid until the next `available()`. */
  take(n: number): Uint8Array {
    const end = this.offset + n * this.recordBytes;
    const bytes = this.block!.bytes.subarray(this.offset, end);
    this.offset = end;
    this.leftInRun -= n;
    this.count += n;
    return bytes;
  }

  /** Counts (and drops) the records left, to report an exact total in a mismatch error. */
  async drain(): Promise<number> {
    for (let n = await this.available(); n > 0; n = await this.available()) this.take(n);
    return this.count;
  }

  /** Stops the parser early (frees its engine) when the run ends before the records do. */
  async close(): Promise<void> {
    this.block = null;
    await this.source.return?.();
  }
}
