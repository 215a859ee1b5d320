import { openAsBlob } from 'node:fs';
import { createClient } from '../../app/client/index.js';
import { createMnistModel, flatWeights, modelFromJson, modelToJson } from '../../app/client/worker/index.js';
import { prepareMnist } from '../../scripts/mnist-to-idx.js';

export interface SeededRun {
  model: string;
  session: string;
  batches: number;
  /** Length of the session's flat weight vector. */
  params: number;
}

/**
 * Seeds a server the way an operator would, through the SDK: a softmax-regression MNIST
 * model, `records` real digits with labels, batches, and a session whose initial weights
 * come from the model's initializers.
 */
export async function seedMnistRun(server: string, adminToken: string | undefined, { records = 640, batchSize = 32 } = {}): Promise<SeededRun> {
  const client = createClient({ server, token: adminToken });
  const mnist = prepareMnist({ trainCount: records, testCount: 100 });
  const model = 'mnist';
  const definition = await modelToJson(createMnistModel({ hidden: 0, learningRate: 0.01 }));
  await client.models.upload(model, JSON.stringify(definition), { name: 'MNIST softmax regression' });
  await client.data.upload(model, await openAsBlob(mnist.trainImages), { id: 'train', shape: [28, 28], parser: 'idx-images' });
  await client.labels.upload(model, await openAsBlob(mnist.trainLabels), { id: 'train', shape: [1], parser: 'idx-labels' });
  const { batches } = await client.batches.create(model, 'train', { dataParser: 'idx-images', labelParser: 'idx-labels', batchSize });
  const built = await modelFromJson(await client.models.getJson(model));
  const initial = flatWeights(built);
  built.dispose();
  const { id: session } = await client.sessions.create(model, { id: 'seeded', shape: [initial.length], data: initial, alpha: 0.5 });
  return { model, session, batches, params: initial.length };
}
