import { Command } from 'commander';
import { cliContext, numberOption, positiveInt } from '../context.js';
import type { TrainingKnobs, WorkerMessage } from '../worker-messages.js';
import { loadTf } from '../tf.js';

/** `webml worker`: one training worker in this process (what `train` forks N of). */
export function workerCommand(): Command {
  return new Command('worker')
    .description('run one training worker in this process: pull weights, train on random batches, post weights and loss')
    .requiredOption('--model <id>', 'model to train')
    .requiredOption('--session <id>', 'session whose weights to train')
    .option('--steps <n>', 'rounds of pull, train on one batch, post', positiveInt, 100)
    .option('--mini-batch <n>', 'records per gradient step inside a batch (default: the whole batch)', positiveInt)
    .option('--epochs <n>', 'passes over each batch per round', positiveInt, 1)
    .option('--learning-rate <x>', "Adam learning rate (default: the model's trainingConfig)", numberOption)
    .action(async (opts: TrainingKnobs & { model: string; session: string }, cmd: Command) => {
      const { client } = cliContext(cmd);
      await loadTf();
      const { trainWorker } = await import('../../worker/train-worker.js');
      const controller = new AbortController();
      // A second Ctrl-C must not kill the clean stop the first one started.
      process.on('SIGINT', () => controller.abort());
      const send = (message: WorkerMessage) => (process.send ? process.send(message) : undefined);
      const summary = await trainWorker({
        server: client,
        model: opts.model,
        session: opts.session,
        steps: opts.steps,
        miniBatchSize: opts.miniBatch,
        epochsPerStep: opts.epochs,
        learningRate: opts.learningRate,
        signal: controller.signal,
        onStep: (r) => {
          send({ type: 'step', step: r.step, loss: r.loss, version: r.version });
          if (!process.send) console.log(`step ${r.step}/${opts.steps}  loss ${r.loss.toFixed(4)}  version ${r.version}`);
        },
      });
      send({ type: 'done', steps: summary.steps, aborted: summary.aborted });
      if (!process.send) console.log(summary.aborted ? `stopped after ${summary.steps} steps` : `done: ${summary.steps} steps`);
      if (summary.aborted) process.exitCode = 130;
      process.disconnect?.();
    });
}
