import type { Db } from '../../db/open.js';
import { ApiError, conflict } from '../errors.js';

// One coordinator per database (DESIGN.md "Beyond one machine"), so an in-process lock
// per database is enough; keying by db keeps test servers in one process apart.
const running = new WeakMap<Db, Set<string>>();

/** Seconds a client turned away for a busy server is told to wait. */
const retryAfterSeconds = 10;

/**
 * Claims the right to batch `model`/`dataset`; returns the release. Throws a 409 while
 * another run holds that dataset, and a 503 (with Retry-After) while `maxRuns` runs of
 * any datasets are going on: each run holds two parser threads with a Lua heap of up to
 * LUA_MEMORY_MB, so runs at once must be bounded for memory to be.
 */
export function lockBatchRun(db: Db, model: string, dataset: string, maxRuns: number): () => void {
  let held = running.get(db);
  if (!held) running.set(db, (held = new Set()));
  const key = `${model}\u0000${dataset}`;
  if (held.has(key)) {
    throw conflict(`Dataset '${dataset}' of model '${model}' is already being batched; retry when that run ends.`, 'batch_in_progress');
  }
  if (held.size >= maxRuns) {
    throw new ApiError(
      503,
      'batching_busy',
      `${held.size} batch runs are going on, the most at once (MAX_BATCH_RUNS=${maxRuns}); retry when one ends.`,
      { 'Retry-After': String(retryAfterSeconds) },
    );
  }
  held.add(key);
  return () => held.delete(key);
}
