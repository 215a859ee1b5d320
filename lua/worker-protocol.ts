import type { SessionLimits } from './parser-session.js';
import type { ParserScript } from './types.js';

/** Main thread -> parser worker. The worker answers every request with one reply, in order. */
export type WorkerRequest =
  | { type: 'open'; parser: ParserScript; limits: SessionLimits }
  | { type: 'parse'; chunk: Uint8Array }
  | { type: 'finish' }
  | { type: 'close' };

/** Parser worker -> main thread. */
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'records'; bytes: Uint8Array; meta: Uint32Array }
  | { type: 'closed'; heapBytes: number }
  /** `crashed`: the engine itself failed (not the script), so the worker must not be reused. */
  | { type: 'error'; message: string; crashed: boolean };
