import type { ParsedRecord } from '../../lua/types.js';

/**
 * A parser's records as one sequence, out of the arrays it yields per call. Records are
 * consumed in runs (`available`, `peek`, `advance`), so pairing costs one await per
 * parser call rather than one per record.
 */
export class RecordReader {
  private readonly source: AsyncIterator<ParsedRecord[]>;
  private buffered: ParsedRecord[] = [];
  private position = 0;
  /** Records consumed so far. */
  count = 0;

  constructor(records: AsyncIterable<ParsedRecord[]>) {
    this.source = records[Symbol.asyncIterator]();
  }

  /** How many records can be peeked now, waiting for the parser if none are; 0 once it is done. */
  async available(): Promise<number> {
    while (this.position >= this.buffered.length) {
      const step = await this.source.next();
      if (step.done) return 0;
      this.buffered = step.value;
      this.position = 0;
    }
    return this.buffered.length - this.position;
  }

  /** The record `offset` places after the next one (within `available()`). */
  peek(offset: number): ParsedRecord {
    return this.buffered[this.position + offset];
  }

  /** Consumes `n` records (at most `available()`). */
  advance(n: number): void {
    this.position += n;
    this.count += n;
  }

  /** Counts (and drops) the records left, to report an exact total in a mismatch error. */
  async drain(): Promise<number> {
    for (let n = await this.available(); n > 0; n = await this.available()) this.advance(n);
    return this.count;
  }

  /** Stops the parser early (frees its engine) when the run ends before the records do. */
  async close(): Promise<void> {
    await this.source.return?.();
  }
}
