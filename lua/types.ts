export type Dtype = 'uint8' | 'float32';

/**
 * The records of one or more parser calls, packed: their bytes end to end, described by runs
 * of consecutive records that share a dtype and a size. A byte string record is uint8, an
 * array of numbers float32 (little-endian). Fixed-size records make one run per block, so a
 * block of a million 1-byte labels costs two buffers, not a million objects.
 */
export class RecordBlock {
  /** `runs` holds two uint32 per run: its record count, then size * 2 + (1 if float32 else 0). */
  constructor(
    readonly bytes: Uint8Array,
    private readonly runs: Uint32Array,
  ) {}

  get runCount(): number {
    return this.runs.length / 2;
  }

  /** Records in run `run`. */
  runLength(run: number): number {
    return this.runs[2 * run];
  }

  /** Bytes of each record of run `run`. */
  recordBytes(run: number): number {
    return this.runs[2 * run + 1] >>> 1;
  }

  dtype(run: number): Dtype {
    return this.runs[2 * run + 1] & 1 ? 'float32' : 'uint8';
  }
}

export interface ParserScript {
  id: string;
  source: string;
}

/** Runs untrusted Lua parser scripts in a sandbox with a time and memory budget. */
export interface ParserRunner {
  /**
   * Streams `input` through the script's `parse(chunk, n)` and then `finish()`, yielding the
   * records of one or more calls per block, in order (never an empty block). Input is read
   * and parsed only a few blocks ahead of what the consumer has taken, so a slow consumer
   * holds back the parser instead of piling up records. Throws ParserError when the script
   * fails or overspends.
   */
  run(parser: ParserScript, input: AsyncIterable<Uint8Array>): AsyncIterable<RecordBlock>;
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
