import * as tf from '@tensorflow/tfjs';
import { openAsBlob, readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClient } from '../app/client/index.js';
import { decodeIdx } from '../app/client/idx.js';
import { accuracy, createMnistModel, flatWeights, modelFromJson, modelToJson, setFlatWeights, trainWorker } from '../app/client/worker/index.js';
import { prepareMnist } from '../scripts/mnist-to-idx.js';
import { startTestServer, type TestServer } from './helpers/server.js';

// Real digits from the `mnist` package: 3000 to train on, 1000 held out.
const mnist = prepareMnist({ trainCount: 3000, testCount: 1000 });
let server: TestServer;

beforeAll(async () => {
  tf.env().set('PROD', true);
  server = await startTestServer();
});
afterAll(() => server.close({ remove: true }));

it('two workers train softmax regression on real MNIST through the server to >= 0.80 held-out accuracy', async () => {
  const client = createClient(server.url);
  const definition = await modelToJson(createMnistModel({ hidden: 0, learningRate: 0.01 }));
  await client.models.upload('mnist', JSON.stringify(definition), { name: 'MNIST softmax regression' });
  await client.data.upload('mnist', await openAsBlob(mnist.trainImages), { id: 'train', shape: [28, 28], parser: 'idx-images' });
  await client.labels.upload('mnist', await openAsBlob(mnist.trainLabels), { id: 'train', shape: [1], parser: 'idx-labels' });
  const batched = await client.batches.create('mnist', 'train', { dataParser: 'idx-images', labelParser: 'idx-labels', batchSize: 100 });
  expect(batched).toEqual({ batches: 30, records: 3000 });

  // Initial weights come from the stored model's own initializers.
  const local = await modelFromJson(await client.models.getJson('mnist'));
  const initial = flatWeights(local);
  const { id: session } = await client.sessions.create('mnist', { shape: [initial.length], data: initial, alpha: 0.5 });

  const images = decodeIdx(readFileSync(mnist.testImages));
  const labels = decodeIdx(readFileSync(mnist.testLabels));
  const before = accuracy(local, images, labels);

  const steps = 40;
  const workers = await Promise.all(
    [1, 2].map(() => trainWorker({ server: server.url, model: 'mnist', session, steps, miniBatchSize: 25 })),
  );
  expect(workers.map((w) => w.steps)).toEqual([steps, steps]);

  setFlatWeights(local, (await client.sessions.weights('mnist', session)).data);
  const after = accuracy(local, images, labels);
  local.dispose();
  expect(before).toBeLessThan(0.3);
  expect(after).toBeGreaterThanOrEqual(0.8);

  const history = (await client.sessions.losses('mnist', session)).map((p) => p.loss);
  expect(history).toHaveLength(2 * steps);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  expect(mean(history.slice(-10))).toBeLessThan(0.5 * mean(history.slice(0, 10)));
  expect((await client.sessions.weights('mnist', session)).version).toBe(2 * steps);
}, 120_000);
