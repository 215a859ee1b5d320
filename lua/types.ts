/** One record a parser returned: a byte string is uint8, an array of numbers is float32. */
export interface ParsedRecord {
  dtype: 'uint8' | 'float32';
  /** Raw bytes of the record (float32 little-endian for numeric records). */
  bytes: Uint8Array;
}

export interface ParserScript {
  id: string;
  source: string;
}

/** Runs untrusted Lua parser scripts in a sandbox with a time and memory budget. */
export interface ParserRunner {
  /**
   * Streams `input` through the script's `parse(chunk, n)` and then `finish()`, yielding the
   * records of each call in order. Throws ParserError when the script fails or overspends.
   */
  run(parser: ParserScript, input: AsyncIterable<Uint8Array>): AsyncIterable<ParsedRecord[]>;
  /** Frees the engines. */
  close(): Promise<void>;
}

/** A parser failed: Lua error (with its line), sandbox violation, or budget exceeded. */
export class ParserError extends Error {
  constructor(
    readonly parserId: string,
    message: string,
  ) {
    super(`Parser '${parserId}' failed: ${message}`);
  }
}
