import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CliContext } from './context.js';
import { trainingBars } from './progress.js';
import { knobsToArgs, type TrainingKnobs, type WorkerMessage } from './worker-messages.js';

const bin = fileURLToPath(new URL('../../../bin/webml.js', import.meta.url));

export interface PoolResult {
  /** Steps each worker finished. */
  steps: number[];
  /** One line per worker that failed. */
  failures: string[];
  interrupted: boolean;
  seconds: number;
}

/**
 * Runs `workers` processes of `webml worker` against one session and shows their progress.
 * SIGINT (Ctrl-C) is passed on: each worker finishes its request in flight and stops cleanly.
 */
export async function runWorkerPool(ctx: CliContext, model: string, session: string, workers: number, knobs: TrainingKnobs): Promise<PoolResult> {
  const bars = trainingBars(workers, knobs.steps);
  const steps = new Array<number>(workers).fill(0);
  const failures: string[] = [];
  let interrupted = false;
  const children: ChildProcess[] = [];
  const onSigint = () => {
    interrupted = true;
    for (const child of children) child.kill('SIGINT');
  };
  process.on('SIGINT', onSigint);
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: workers }, (_, i) => {
        // The token travels in the environment, not argv, so `ps` does not show it.
        const child = fork(bin, ['worker', '--model', model, '--session', session, '--server', ctx.server, ...knobsToArgs(knobs)], {
          stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
          env: { ...process.env, ...(ctx.token ? { WEBML_TOKEN: ctx.token } : {}) },
        });
        children.push(child);
        let stderr = '';
        child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('message', (message: WorkerMessage) => {
          if (message.type !== 'step') return;
          steps[i] = message.step;
          bars.step(i, message.step, message.loss);
        });
        return new Promise<void>((resolve) => {
          child.on('exit', (code, signal) => {
            const clean = code === 0 || (interrupted && (code === 130 || signal === 'SIGINT'));
            if (!clean) failures.push(`worker ${i + 1}: ${lastLine(stderr) || `exited with ${signal ?? `code ${code}`}`}`);
            resolve();
          });
        });
      }),
    );
  } finally {
    process.off('SIGINT', onSigint);
    bars.stop();
  }
  return { steps, failures, interrupted, seconds: (performance.now() - started) / 1000 };
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1)?.replace(/^error: /, '') ?? '';
}
