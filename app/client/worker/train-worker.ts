import * as tf from '@tensorflow/tfjs';
import { createClient, type WebMLClient } from '../client.js';
import { batchToTensors } from './batch-tensors.js';
import { withRetry, type RetryOptions } from './retry.js';
import { flatWeights, modelFromJson, setFlatWeights } from './tf-model.js';

export interface TrainWorkerOptions {
  /** Coordinator URL, or a client already configured (token, fetch). */
  server: string | WebMLClient;
  /** Bearer token when `server` is a URL. */
  token?: string;
  model: string;
  session: string;
  /** Rounds of pull weights, train on one random batch, post weights and loss. */
  steps: number;
  /** Passes over each fetched batch before posting (default 1). */
  epochsPerStep?: number;
  /** Records per gradient step inside a batch (default: the whole batch in one step). */
  miniBatchSize?: number;
  /** Trains with Adam at this rate instead of the model's trainingConfig optimizer (Adam 0.001 when it has none). */
  learningRate?: number;
  /** Stops the loop: a step still downloading or training is abandoned; one already posting completes. */
  signal?: AbortSignal;
  retry?: RetryOptions;
  /** Told after every posted step. */
  onStep?: (report: StepReport) => void;
}

export interface StepReport {
  step: number;
  batch: string;
  records: number;
  /** Loss of the session's weights on this batch, before local training (what is posted). */
  loss: number;
  /** Session version after the merge, if the server says. */
  version: number | null;
}

export interface WorkerSummary {
  steps: number;
  losses: number[];
  /** True when the signal stopped the loop before `steps`. */
  aborted: boolean;
}

/**
 * One training worker. Uses only fetch and TF.js, so the same loop runs in Node and in a
 * browser page. Network errors and 5xx answers are retried with backoff; 4xx are not.
 */
export async function trainWorker(options: TrainWorkerOptions): Promise<WorkerSummary> {
  const client = typeof options.server === 'string' ? createClient({ server: options.server, token: options.token }) : options.server;
  const { model: modelId, signal } = options;
  const retry: Retry = <T>(task: () => Promise<T>) => withRetry(task, { ...options.retry, signal });
  const losses: number[] = [];
  let model: tf.LayersModel | undefined;
  try {
    const definition = await retry(() => client.models.getJson(modelId, { signal }));
    model = await modelFromJson(definition);
    if (!model.optimizer) model.compile({ optimizer: tf.train.adam(options.learningRate ?? 0.001), loss: 'categoricalCrossentropy' });
    else if (options.learningRate != null) model.optimizer = tf.train.adam(options.learningRate);
    for (let step = 1; step <= options.steps; step++) {
      signal?.throwIfAborted();
      const report = await trainOneStep(client, model, step, options, retry);
      losses.push(report.loss);
      options.onStep?.(report);
    }
    return { steps: losses.length, losses, aborted: false };
  } catch (error) {
    // Once stopped, whatever the abort interrupted (a fetch, a backoff wait) is the stop itself.
    if (signal?.aborted) return { steps: losses.length, losses, aborted: true };
    throw error;
  } finally {
    model?.dispose();
  }
}

type Retry = <T>(task: () => Promise<T>) => Promise<T>;

/** One round; each request is retried on its own, so a flaky loss post never re-posts weights. */
async function trainOneStep(client: WebMLClient, model: tf.LayersModel, step: number, options: TrainWorkerOptions, retry: Retry): Promise<StepReport> {
  const { model: modelId, session, signal } = options;
  const [center, batch] = await Promise.all([
    retry(() => client.sessions.weights(modelId, session, { signal })),
    retry(() => client.batches.random(modelId, { signal })),
  ]);
  const { data, labels } = await retry(() => client.batches.download(modelId, batch, { signal }));
  setFlatWeights(model, center.data);
  const { xs, ys } = batchToTensors(model, data, labels);
  let loss: number;
  try {
    const history = await model.fit(xs, ys, {
      epochs: options.epochsPerStep ?? 1,
      batchSize: options.miniBatchSize ?? data.shape[0],
      shuffle: true,
      verbose: 0,
    });
    loss = Number(history.history.loss[0]);
  } finally {
    tf.dispose([xs, ys]);
  }
  // Past this point the step is finished whole: a stop never leaves weights without their loss.
  signal?.throwIfAborted();
  const weights = flatWeights(model);
  const { version } = await retry(() => client.sessions.postWeights(modelId, session, weights, center.shape));
  await retry(() => client.sessions.postLoss(modelId, session, loss));
  return { step, batch, records: data.shape[0], loss, version: version ?? null };
}
