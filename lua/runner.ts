import type { Config } from '../app/config.js';
import type { SessionLimits } from './parser-session.js';
import type { ParserWorker } from './parser-worker-handle.js';
import { rechunk } from './rechunk.js';
import { ParserError, RecordBlock, type ParserRunner, type ParserScript } from './types.js';
import { createWorkerPool } from './worker-pool.js';
import type { WorkerReply } from './worker-protocol.js';

const MiB = 1024 * 1024;
/** Input crosses to the worker in blocks of whole chunks, about this big (fewer messages). */
const BLOCK_BYTES = 1024 * 1024;
/**
 * Blocks sent ahead of the one being waited for, so the worker never idles on a round trip.
 * More are sent only as the consumer takes records: this bounds how far a run (and so one
 * side of a batching run) gets ahead of its consumer, whatever the record count.
 */
const BLOCKS_IN_FLIGHT = 4;
/** How long past its budget a worker may stay silent before it is killed. */
const WATCHDOG_GRACE_MS = 1000;

type RunnerConfig = Pick<Config, 'LUA_TIMEOUT_MS' | 'LUA_MEMORY_MB' | 'PARSER_CHUNK_BYTES'>;

/**
 * The parser runner the server uses. Each run happens in a worker thread, so a parser that
 * loops (even inside one long C call) never holds the server's event loop, and a run that
 * ignores its budget is stopped by terminating its worker.
 */
export function createLuaRunner(config: RunnerConfig): ParserRunner {
  const pool = createWorkerPool();
  const limits: SessionLimits = { timeoutMs: config.LUA_TIMEOUT_MS, memoryBytes: config.LUA_MEMORY_MB * MiB };
  const chunkBytes = config.PARSER_CHUNK_BYTES;
  // A multiple of the chunk size, so the worker's cuts fall exactly every chunkBytes.
  const blockBytes = chunkBytes * Math.max(1, Math.floor(BLOCK_BYTES / chunkBytes));

  /** Waits for a reply; a worker silent for longer than a whole budget is killed. */
  async function answer(worker: ParserWorker, reply: Promise<WorkerReply>): Promise<WorkerReply> {
    let timer: NodeJS.Timeout | undefined;
    const watchdog = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, limits.timeoutMs + WATCHDOG_GRACE_MS);
    });
    const first = await Promise.race([reply, watchdog]);
    clearTimeout(timer);
    if (first) return first;
    await worker.terminate(`exceeded its time budget of ${limits.timeoutMs} ms`);
    return reply;
  }

  async function* run(parser: ParserScript, input: AsyncIterable<Uint8Array>): AsyncGenerator<RecordBlock> {
    const worker = await pool.acquire();
    let crashed = false;
    const take = async (reply: Promise<WorkerReply>): Promise<RecordBlock | null> => {
      const answered = await answer(worker, reply);
      if (answered.type === 'error') {
        crashed = answered.crashed;
        throw new ParserError(parser.id, answered.message);
      }
      return answered.type === 'records' && answered.runs.length > 0 ? new RecordBlock(answered.bytes, answered.runs) : null;
    };
    try {
      await take(worker.request({ type: 'open', parser, limits }));
      const inFlight: Promise<WorkerReply>[] = [];
      for await (const bytes of rechunk(input, blockBytes)) {
        inFlight.push(worker.request({ type: 'parse', bytes, chunkBytes }, [bytes.buffer as ArrayBuffer]));
        if (inFlight.length < BLOCKS_IN_FLIGHT) continue;
        const block = await take(inFlight.shift()!);
        if (block) yield block;
      }
      inFlight.push(worker.request({ type: 'finish' }));
      while (inFlight.length > 0) {
        const block = await take(inFlight.shift()!);
        if (block) yield block;
      }
    } finally {
      // Awaited (a few ms), so the next run finds this worker idle instead of starting one.
      await closeRun(worker, crashed);
    }
  }

  /** Frees the run's Lua state and hands the worker back (or retires it). */
  async function closeRun(worker: ParserWorker, crashed: boolean): Promise<void> {
    const closed = crashed ? null : await answer(worker, worker.request({ type: 'close' }));
    pool.release(worker, closed?.type === 'closed' ? closed.heapBytes : null);
  }

  return { run, close: () => pool.close() };
}
