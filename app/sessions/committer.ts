import { Worker } from 'node:worker_threads';
import type { SessionChange } from './session-repo.js';

const BOOT = new URL('./commit-worker-boot.mjs', import.meta.url);

export type CommitReply = { ok: true } | { ok: false; message: string };

interface Waiting {
  resolve(snapshots: Float64Array[]): void;
  reject(err: Error): void;
}

/**
 * The main thread's side of the commit thread, one group at a time. Resolves with the weight
 * snapshots handed back for reuse. A dead thread fails the group it held and is replaced on
 * the next commit.
 */
export function createCommitter(file: string) {
  let worker: Worker | null = null;
  let waiting: Waiting | null = null;

  const settle = (outcome: { snapshots: Float64Array[] } | Error) => {
    const w = waiting;
    waiting = null;
    worker?.unref();
    if (outcome instanceof Error) w?.reject(outcome);
    else w?.resolve(outcome.snapshots);
  };

  function spawn(): Worker {
    const thread = new Worker(BOOT, { workerData: { file } });
    thread.on('message', (reply: CommitReply & { snapshots: Float64Array[] }) =>
      settle(reply.ok ? reply : new Error(reply.message)),
    );
    const gone = (why: string) => {
      if (worker === thread) worker = null;
      settle(new Error(why));
    };
    thread.on('error', (err) => gone(`the commit thread crashed: ${err.message}`));
    thread.on('exit', (code) => gone(`the commit thread stopped (exit code ${code})`));
    return thread;
  }

  return {
    /**
     * Boots the thread ahead of the first commit (it takes a moment to load); a server that
     * never touches a session never starts it. Idle, it does not keep the process alive.
     */
    warm(): void {
      if (worker) return;
      worker = spawn();
      worker.unref();
    },

    /** Writes one group; `weights` buffers are transferred, so pass snapshots, never live weights. */
    commit(changes: SessionChange[]): Promise<Float64Array[]> {
      if (waiting) return Promise.reject(new Error('a commit is already in flight'));
      worker ??= spawn();
      // Held while a commit is in flight, so a pending acknowledgement keeps the process alive.
      worker.ref();
      const promise = new Promise<Float64Array[]>((resolve, reject) => (waiting = { resolve, reject }));
      worker.postMessage(changes, changes.flatMap((c) => (c.weights ? [c.weights.buffer as ArrayBuffer] : [])));
      return promise;
    },

    /** Stops the thread (after the caller has waited for its last commit). */
    async close(): Promise<void> {
      const thread = worker;
      worker = null;
      await thread?.terminate();
    },
  };
}
