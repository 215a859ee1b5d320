import { Command } from 'commander';
import { CliError, cliContext, numberOption, positiveInt, type CliContext } from '../context.js';
import { runWorkerPool } from '../worker-pool.js';
import type { TrainingKnobs } from '../worker-messages.js';

/** `webml train`: N worker processes, S steps each. */
export function trainCommand(): Command {
  return new Command('train')
    .description('train a session with N worker processes, each taking S steps')
    .requiredOption('--model <id>', 'model to train')
    .requiredOption('--session <id>', 'session whose weights to train')
    .option('--workers <n>', 'worker processes', positiveInt, 2)
    .option('--steps <n>', 'steps each worker takes', positiveInt, 100)
    .option('--mini-batch <n>', 'records per gradient step inside a batch (default: the whole batch)', positiveInt)
    .option('--epochs <n>', 'passes over each batch per step', positiveInt, 1)
    .option('--learning-rate <x>', "Adam learning rate (default: the model's trainingConfig)", numberOption)
    .action(async (opts: TrainingKnobs & { model: string; session: string; workers: number }, cmd: Command) => {
      const result = await train(cliContext(cmd), opts.model, opts.session, opts.workers, opts);
      if (!result.interrupted) return console.log(result.summary);
      console.error(`interrupted: ${result.summary}`);
      process.exitCode = 130;
    });
}

/** Checks the session and batches exist (one clear error instead of N), runs the pool, sums it up. */
export async function train(ctx: CliContext, model: string, session: string, workers: number, knobs: TrainingKnobs) {
  await ctx.client.sessions.weights(model, session);
  await ctx.client.batches.random(model);
  const result = await runWorkerPool(ctx, model, session, workers, knobs);
  if (result.failures.length) throw new CliError(result.failures[0] + (result.failures.length > 1 ? ` (and ${result.failures.length - 1} more workers failed)` : ''));
  const after = await ctx.client.sessions.weights(model, session);
  const total = result.steps.reduce((a, b) => a + b, 0);
  const summary = `${workers} workers, ${total} steps in ${result.seconds.toFixed(1)} s; session version ${after.version}, loss ${after.loss?.toFixed(4)}`;
  return { summary, interrupted: result.interrupted };
}
