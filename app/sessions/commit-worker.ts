import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../../db/open.js';
import type { CommitReply } from './committer.js';
import { sessionRepo, type SessionChange } from './session-repo.js';

/**
 * The session commit thread: its own SQLite connection (WAL, synchronous=FULL) writes each
 * group it is sent in one immediate transaction, in order, while the main thread goes on
 * receiving and merging. Weight snapshots go back to the main thread for reuse.
 */
const db = openDatabase((workerData as { file: string }).file);
// A same-size blob update rewrites the same pages, and a checkpoint copies each page once
// however many WAL frames it has: checkpointing every 64 MB of WAL instead of every 4 MB
// (SQLite's default) spares a 1M-parameter session a second full write on every commit.
db.$client.pragma('wal_autocheckpoint = 16384');
// A large session's commit grows the WAL file to its size; give the disk back afterwards.
db.$client.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
const repo = sessionRepo(db);

parentPort!.on('message', (changes: SessionChange[]) => {
  let reply: CommitReply;
  try {
    repo.commit(changes);
    reply = { ok: true };
  } catch (err) {
    reply = { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  const snapshots = changes.flatMap((c) => (c.weights ? [c.weights] : []));
  parentPort!.postMessage({ ...reply, snapshots }, snapshots.map((s) => s.buffer as ArrayBuffer));
});
