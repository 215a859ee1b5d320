import { Command } from 'commander';
import { fileBlob } from '../files.js';
import { prepareMnist } from '../../../../scripts/mnist-to-idx.js';
import { CliError, cliContext, numberOption, positiveInt } from '../context.js';
import { uploadWithBar as upload, whileWaiting } from '../progress.js';
import { evaluate } from './eval.js';
import { train } from './train.js';
import { loadTf } from '../tf.js';

interface DemoOptions {
  workers: number;
  steps: number;
  hidden: number;
  alpha: number;
  batchSize: number;
  miniBatch: number;
  learningRate: number;
}

/** `webml demo mnist`: the whole flow against a running server, ending with held-out accuracy. */
export function demoCommand(): Command {
  const demo = new Command('demo').description('end-to-end demonstrations against a running server');
  demo
    .command('mnist')
    .description('convert 10,000 real MNIST digits to IDX, upload, batch, train with N workers, print held-out accuracy')
    .option('--workers <n>', 'worker processes', positiveInt, 4)
    .option('--steps <n>', 'steps each worker takes', positiveInt, 100)
    .option('--hidden <n>', 'hidden units (0: softmax regression)', (v) => Number(v), 32)
    .option('--alpha <a>', 'session merge alpha', numberOption, 0.75)
    .option('--batch-size <n>', 'records per batch', positiveInt, 100)
    .option('--mini-batch <n>', 'records per gradient step inside a batch', positiveInt, 25)
    .option('--learning-rate <x>', 'Adam learning rate', numberOption, 0.01)
    .action(async (opts: DemoOptions, cmd: Command) => {
      const ctx = cliContext(cmd);
      const { client } = ctx;
      const started = performance.now();
      const files = prepareMnist();
      console.error(`MNIST: ${files.trainCount} training and ${files.testCount} held-out digits in ${files.dir}`);

      await loadTf();
      const { createMnistModel } = await import('../../worker/mnist-model.js');
      const { modelToJson } = await import('../../worker/tf-model.js');
      const { createSessionFromModel } = await import('../../worker/session-from-model.js');
      const definition = JSON.stringify(await modelToJson(createMnistModel({ hidden: opts.hidden, learningRate: opts.learningRate })));
      // Model ids are never reused (409): each demo run gets its own.
      const model = `mnist-${Date.now().toString(36)}`;
      await upload('model', new Blob([definition]), (body, onProgress) => client.models.upload(model, body, { name: 'MNIST demo', onProgress }));
      await upload('data', await fileBlob(files.trainImages), (body, onProgress) =>
        client.data.upload(model, body, { id: 'train', shape: [28, 28], parser: 'idx-images', onProgress }),
      );
      await upload('labels', await fileBlob(files.trainLabels), (body, onProgress) =>
        client.labels.upload(model, body, { id: 'train', shape: [1], parser: 'idx-labels', onProgress }),
      );
      const batches = await whileWaiting('batching', client.batches.create(model, 'train', { dataParser: 'idx-images', labelParser: 'idx-labels', batchSize: opts.batchSize }));
      const { id: session } = await createSessionFromModel(client, model, { alpha: opts.alpha });
      console.error(`model ${model}: ${batches.batches} batches; session ${session}`);

      const trained = await train(ctx, model, session, opts.workers, { steps: opts.steps, miniBatch: opts.miniBatch });
      console.error(trained.summary);
      if (trained.interrupted) throw new CliError(`interrupted: ${trained.summary}`);
      const result = await evaluate(ctx, model, session, files.testImages, files.testLabels);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(`held-out accuracy ${result.accuracy.toFixed(4)} on ${result.count} digits (${opts.workers} workers x ${opts.steps} steps, ${seconds} s in all; model ${model}, session ${session})`);
    });
  return demo;
}
