import { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { decodeIdx } from '../../idx.js';
import { CliError, cliContext, type CliContext } from '../context.js';
import { loadTf } from '../tf.js';

/** `webml eval`: held-out accuracy of a session's current weights. */
export function evalCommand(): Command {
  return new Command('eval')
    .description("measure a session's accuracy on held-out IDX images and labels (not uploaded; evaluated here)")
    .requiredOption('--model <id>', 'model of the session')
    .requiredOption('--session <id>', 'session whose weights to evaluate')
    .requiredOption('--images <file>', 'held-out IDX images')
    .requiredOption('--labels <file>', 'held-out IDX labels')
    .action(async (opts: { model: string; session: string; images: string; labels: string }, cmd: Command) => {
      const result = await evaluate(cliContext(cmd), opts.model, opts.session, opts.images, opts.labels);
      console.log(`accuracy ${result.accuracy.toFixed(4)} on ${result.count} held-out records (session version ${result.version})`);
    });
}

/** Pulls the session's weights into the stored model and scores it on the IDX files. */
export async function evaluate(ctx: CliContext, model: string, session: string, imagesFile: string, labelsFile: string) {
  const [images, labels] = await Promise.all([readIdx(imagesFile), readIdx(labelsFile)]);
  await loadTf();
  const { modelFromJson, setFlatWeights } = await import('../../worker/tf-model.js');
  const { accuracy } = await import('../../worker/evaluate.js');
  const [definition, weights] = await Promise.all([ctx.client.models.getJson(model), ctx.client.sessions.weights(model, session)]);
  const built = await modelFromJson(definition);
  try {
    setFlatWeights(built, weights.data);
    return { accuracy: accuracy(built, images, labels), count: images.shape[0], version: weights.version };
  } finally {
    built.dispose();
  }
}

async function readIdx(file: string) {
  const bytes = await readFile(file);
  try {
    return decodeIdx(bytes);
  } catch (error) {
    throw new CliError(`${file}: ${(error as Error).message}`);
  }
}
