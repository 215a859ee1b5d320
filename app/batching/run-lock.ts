import type { Db } from '../../db/open.js';
import { conflict } from '../errors.js';

// One coordinator per database (DESIGN.md "Beyond one machine"), so an in-process lock
// per database is enough; keying by db keeps test servers in one process apart.
const running = new WeakMap<Db, Set<string>>();

/** Claims the right to batch `model`/`dataset`; throws a 409 while another run holds it. Returns the release. */
export function lockBatchRun(db: Db, model: string, dataset: string): () => void {
  let held = running.get(db);
  if (!held) running.set(db, (held = new Set()));
  const key = `${model}\u0000${dataset}`;
  if (held.has(key)) {
    throw conflict(`Dataset '${dataset}' of model '${model}' is already being batched; retry when that run ends.`, 'batch_in_progress');
  }
  held.add(key);
  return () => held.delete(key);
}
