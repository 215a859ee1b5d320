import type { ParsedRecord } from '../../lua/types.js';

/** Pulls a parser's records one at a time out of the arrays it yields per chunk. */
export class RecordReader {
  private readonly source: AsyncIterator<ParsedRecord[]>;
  private buffered: ParsedRecord[] = [];
  private position = 0;
  /** Records handed out so far. */
  count = 0;

  constructor(records: AsyncIterable<ParsedRecord[]>) {
    this.source = records[Symbol.asyncIterator]();
  }

  /** The next record, or null once the parser is done. */
  async next(): Promise<ParsedRecord | null> {
    while (this.position >= this.buffered.length) {
      const step = await this.source.next();
      if (step.done) return null;
      this.buffered = step.value;
      this.position = 0;
    }
    this.count++;
    return this.buffered[this.position++];
  }

  /** Counts (and drops) the records left, to report an exact total in a mismatch error. */
  async drain(): Promise<number> {
    while ((await this.next()) !== null);
    return this.count;
  }

  /** Stops the parser early (frees its engine) when the run ends before the records do. */
  async close(): Promise<void> {
    await this.source.return?.();
  }
}
