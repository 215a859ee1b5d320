import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, WebMLError } from '../app/client/index.js';
import { encodeIdx } from '../app/client/idx.js';
import { batchToTensors, createMnistModel, flatWeights, modelFromJson, modelToJson, paramCount, setFlatWeights, trainWorker } from '../app/client/worker/index.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let session: string;
const fast = { baseDelayMs: 5, maxDelayMs: 20 };

beforeAll(async () => {
  tf.env().set('PROD', true);
  server = await startTestServer();
  const client = createClient(server.url);
  const model = createMnistModel({ hidden: 0 });
  await client.models.upload('m', JSON.stringify(await modelToJson(model)), { name: 'm' });
  const count = 20;
  const images = encodeIdx({ shape: [count, 28, 28], data: Uint8Array.from({ length: count * 784 }, (_, i) => (i * 7) % 256) });
  const labels = encodeIdx({ shape: [count], data: Uint8Array.from({ length: count }, (_, i) => i % 10) });
  await client.data.upload('m', images, { id: 'd', shape: [28, 28], parser: 'idx-images' });
  await client.labels.upload('m', labels, { id: 'd', shape: [1], parser: 'idx-labels' });
  await client.batches.create('m', 'd', { dataParser: 'idx-images', labelParser: 'idx-labels', batchSize: 10 });
  session = (await client.sessions.create('m', { shape: [paramCount(model)], data: flatWeights(model) })).id;
  model.dispose();
});
afterAll(() => server.close({ remove: true }));

/** A fetch that fails the first `times` calls whose URL matches with `failure`, counting every call. */
function flakyFetch(match: RegExp, times: number, failure: () => Promise<Response>) {
  const calls: string[] = [];
  let left = times;
  const impl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    calls.push(`${init?.method ?? 'GET'} ${url}`);
    if (match.test(url) && left > 0) {
      left--;
      return failure();
    }
    return fetch(input, init);
  }) as typeof fetch;
  return { impl, calls };
}

const unavailable = async () => new Response(JSON.stringify({ error: { code: 'unavailable', message: 'busy' } }), { status: 503 });
const refused = async (): Promise<Response> => {
  throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
};

describe('trainWorker', () => {
  it('retries 5xx answers and network errors, posting each step exactly once', async () => {
    const before = (await createClient(server.url).sessions.weights('m', session)).version!;
    const weights = flakyFetch(/\/weights$/, 2, unavailable);
    const retries: number[] = [];
    const summary = await trainWorker({
      server: createClient({ server: server.url, fetch: weights.impl }),
      model: 'm',
      session,
      steps: 3,
      retry: { ...fast, onRetry: (e) => retries.push(e.status) },
    });
    expect(summary).toMatchObject({ steps: 3, aborted: false });
    expect(retries).toEqual([503, 503]);
    expect(weights.calls.filter((c) => c.endsWith('/weights'))).toHaveLength(5);
    expect((await createClient(server.url).sessions.weights('m', session)).version).toBe(before + 3);

    const network = flakyFetch(/\/batch$/, 1, refused);
    const again = await trainWorker({ server: createClient({ server: server.url, fetch: network.impl }), model: 'm', session, steps: 1, retry: fast });
    expect(again.steps).toBe(1);
    expect(network.calls.filter((c) => c.endsWith('/batch'))).toHaveLength(2);
  });

  it('gives up after the retry budget with the last error', async () => {
    const down = flakyFetch(/./, Infinity, unavailable);
    const error = await trainWorker({ server: createClient({ server: server.url, fetch: down.impl }), model: 'm', session, steps: 1, retry: { ...fast, attempts: 3 } }).catch((e) => e);
    expect(error).toMatchObject({ status: 503 });
    expect(down.calls).toHaveLength(3);
  });

  it('does not retry 4xx: an unknown session fails at once', async () => {
    const counted = flakyFetch(/$^/, 0, unavailable);
    const error = await trainWorker({ server: createClient({ server: server.url, fetch: counted.impl }), model: 'm', session: 'absent', steps: 1, retry: fast }).catch((e) => e);
    expect(error).toBeInstanceOf(WebMLError);
    expect(error).toMatchObject({ status: 404, code: 'session_not_found' });
    expect(counted.calls.filter((c) => c.includes('/session/absent'))).toHaveLength(1);
  });

  it('stops cleanly on abort: returns what it did and leaves no half-posted step', async () => {
    const client = createClient(server.url);
    const before = (await client.sessions.weights('m', session)).version!;
    const lossesBefore = (await client.sessions.losses('m', session)).length;
    const controller = new AbortController();
    const summary = await trainWorker({
      server: server.url,
      model: 'm',
      session,
      steps: 1000,
      signal: controller.signal,
      onStep: (report) => report.step === 2 && controller.abort(),
    });
    expect(summary).toMatchObject({ steps: 2, aborted: true });
    expect((await client.sessions.weights('m', session)).version).toBe(before + 2);
    expect((await client.sessions.losses('m', session)).length).toBe(lossesBefore + 2);
  });

  it('an abort during a backoff wait ends the loop at once', async () => {
    const down = flakyFetch(/./, Infinity, refused);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const summary = await trainWorker({
      server: createClient({ server: server.url, fetch: down.impl }),
      model: 'm',
      session,
      steps: 5,
      signal: controller.signal,
      retry: { baseDelayMs: 60_000 },
    });
    expect(summary).toEqual({ steps: 0, losses: [], aborted: true });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('model and batch helpers', () => {
  it('flat weights round-trip in getWeights() order and a wrong length is refused', async () => {
    const model = await modelFromJson(await modelToJson(createMnistModel({ hidden: 4 })));
    const flat = Float32Array.from({ length: paramCount(model) }, (_, i) => i);
    setFlatWeights(model, flat);
    expect(flatWeights(model)).toEqual(flat);
    expect(Array.from(model.getWeights()[1].dataSync())).toEqual([3136, 3137, 3138, 3139]);
    expect(() => setFlatWeights(model, new Float32Array(3))).toThrow(/3 values but the model has 3190/);
    model.dispose();
  });

  it('a bare topology (model.toJSON) loads too, with initializer weights', async () => {
    const model = createMnistModel({ hidden: 0 });
    const loaded = await modelFromJson(model.toJSON(null, false));
    expect(paramCount(loaded)).toBe(7850);
    expect(flatWeights(loaded).some((v) => v !== 0)).toBe(true);
  });

  it('uint8 pixels scale to [0, 1], uint8 labels one-hot, float32 parts pass through', () => {
    const model = createMnistModel({ hidden: 0 });
    const data = { shape: [2, 28, 28], dtype: 'uint8' as const, size: null, bytes: new Uint8Array(2 * 784).fill(255) };
    const labels = { shape: [2, 1], dtype: 'uint8' as const, size: null, bytes: Uint8Array.of(3, 9) };
    const { xs, ys } = batchToTensors(model, data, labels);
    expect(xs.shape).toEqual([2, 784]);
    expect(xs.max().dataSync()[0]).toBe(1);
    expect(ys.argMax(-1).arraySync()).toEqual([3, 9]);
    const floats = { shape: [2, 10], dtype: 'float32' as const, size: null, bytes: new Uint8Array(new Float32Array(20).fill(0.5).buffer) };
    expect(batchToTensors(model, data, floats).ys.sum().dataSync()[0]).toBe(10);
    const wrong = { ...data, shape: [2, 27, 27], bytes: new Uint8Array(2 * 729) };
    expect(() => batchToTensors(model, wrong, labels)).toThrow('batch data records of shape [27,27] do not fit the model');
  });
});
