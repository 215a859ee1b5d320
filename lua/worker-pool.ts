import { ParserWorker } from './parser-worker-handle.js';

/** Idle workers kept warm (a new one takes ~200 ms to load tsx and the wasm module). */
const MAX_IDLE = 2;
/** A worker's wasm heap never shrinks and every run leaves a little behind: recycle. */
const MAX_RUNS_PER_WORKER = 100;
const MAX_HEAP_BYTES = 64 * 1024 * 1024;

/**
 * Parser workers, one per concurrent run (a batch streams data and labels at once), reused
 * while healthy and small. A worker retired here takes its whole wasm heap with it.
 */
export function createWorkerPool() {
  const idle: ParserWorker[] = [];
  const busy = new Set<ParserWorker>();
  let closed = false;

  return {
    /** An idle worker, or a new one once it has loaded. */
    async acquire(): Promise<ParserWorker> {
      if (closed) throw new Error('the parser runner is closed');
      let worker = idle.pop();
      while (worker && !worker.alive) worker = idle.pop();
      worker ??= new ParserWorker();
      worker.keepAlive(true);
      busy.add(worker);
      await worker.booted;
      return worker;
    },

    /** Takes a worker back after a run; `heapBytes` is null when its state is unknown. */
    release(worker: ParserWorker, heapBytes: number | null): void {
      busy.delete(worker);
      worker.runs++;
      const reusable =
        !closed && worker.alive && heapBytes !== null && heapBytes <= MAX_HEAP_BYTES && worker.runs < MAX_RUNS_PER_WORKER && idle.length < MAX_IDLE;
      if (!reusable) {
        void worker.terminate();
        return;
      }
      worker.keepAlive(false);
      idle.push(worker);
    },

    async close(): Promise<void> {
      closed = true;
      const all = [...idle.splice(0), ...busy];
      busy.clear();
      await Promise.all(all.map((w) => w.terminate('the parser runner was closed')));
    },
  };
}
