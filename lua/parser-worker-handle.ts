import { Worker } from 'node:worker_threads';
import type { WorkerReply, WorkerRequest } from './worker-protocol.js';

const BOOT = new URL('./parser-worker-boot.mjs', import.meta.url);

/**
 * The main thread's side of one parser worker: requests are answered in the order they were
 * sent, so each reply settles the oldest waiting request. Once the worker is gone, every
 * request (waiting or new) gets an error reply instead of hanging.
 */
export class ParserWorker {
  private readonly worker = new Worker(BOOT);
  private readonly waiting: Array<(reply: WorkerReply) => void> = [];
  private gone: WorkerReply | null = null;
  private onBooted!: () => void;
  /** Settles once the worker has loaded (or died trying): budgets start counting after it. */
  readonly booted = new Promise<void>((resolve) => {
    this.onBooted = resolve;
  });
  /** Runs this worker has finished, for recycling. */
  runs = 0;

  constructor() {
    this.worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'booted') this.onBooted();
      else this.waiting.shift()?.(reply);
    });
    this.worker.on('error', (error) => this.fail(`crashed the Lua engine: ${error.message}`));
    this.worker.on('exit', (code) => this.fail(`the Lua engine stopped (exit code ${code})`));
  }

  /** Sends one request; `transfer` hands buffers over instead of copying them. */
  request(request: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
    if (this.gone) return Promise.resolve(this.gone);
    this.worker.postMessage(request, transfer);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Whether an idle worker keeps the process alive (only while it runs a parser). */
  keepAlive(busy: boolean): void {
    if (busy) this.worker.ref();
    else this.worker.unref();
  }

  get alive(): boolean {
    return this.gone === null;
  }

  /** Stops the worker at once, even inside a long-running Lua call. */
  async terminate(reason = 'the Lua engine was stopped'): Promise<void> {
    this.fail(reason);
    await this.worker.terminate();
  }

  private fail(message: string): void {
    this.gone ??= { type: 'error', message, crashed: true };
    this.onBooted();
    for (const resolve of this.waiting.splice(0)) resolve(this.gone);
  }
}
