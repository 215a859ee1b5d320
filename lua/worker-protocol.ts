import type { SessionLimits } from './parser-session.js';
import type { EncodedRecords } from './records.js';
import type { ParserScript } from './types.js';

/** Main thread -> parser worker. The worker answers every request with one reply, in order. */
export type WorkerRequest =
  | { type: 'open'; parser: ParserScript; limits: SessionLimits }
  /** `bytes` is cut into chunks of `chunkBytes`, one parse call each (one message, many calls). */
  | { type: 'parse'; bytes: Uint8Array; chunkBytes: number }
  | { type: 'finish' }
  | { type: 'close' };

/** Parser worker -> main thread: once `booted` unprompted, then one reply per request. */
export type WorkerReply =
  | { type: 'booted' }
  | { type: 'opened' }
  /** The records of every call the request made, in call order. */
  | ({ type: 'records' } & EncodedRecords)
  | { type: 'closed'; heapBytes: number }
  /** `crashed`: the engine itself failed (not the script), so the worker must not be reused. */
  | { type: 'error'; message: string; crashed: boolean };
