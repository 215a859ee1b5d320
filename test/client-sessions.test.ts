import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type WebMLClient } from '../app/client/index.js';
import { encodeIdx } from '../app/client/idx.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { failure } from './helpers/client-failure.js';

let server: TestServer;
let client: WebMLClient;

beforeAll(async () => {
  server = await startTestServer();
  client = createClient(server.url);
  await client.models.upload('m', '{}', { name: 'm' });
});
afterAll(() => server.close({ remove: true }));

// Seven 2x2 images whose pixels all equal their index, labelled 10 + index.
const count = 7;
const pixels = Uint8Array.from({ length: count * 4 }, (_, i) => Math.floor(i / 4));
const images = encodeIdx({ shape: [count, 2, 2], data: pixels });
const labels = encodeIdx({ shape: [count], data: Uint8Array.from({ length: count }, (_, i) => 10 + i) });
const parsers = { dataParser: 'idx-images', labelParser: 'idx-labels' };

describe('batches', () => {
  beforeAll(async () => {
    await client.data.upload('m', images, { id: 'd', shape: [2, 2], parser: 'idx-images' });
    await client.labels.upload('m', labels, { id: 'd', shape: [1], parser: 'idx-labels' });
  });

  it('random batch before batching is a 404 saying how to cut batches', async () => {
    const error = await failure(() => client.batches.random('m'));
    expect(error).toMatchObject({ status: 404, code: 'no_batches' });
    expect(error.message).toContain('POST /model/m/data/<id>/batch');
  });

  it('create cuts batches; list, random, head and download return every record once', async () => {
    expect(await client.batches.create('m', 'd', { ...parsers, batchSize: 3 })).toEqual({ batches: 3, records: count });
    const ids = await client.batches.list('m');
    expect(ids).toHaveLength(3);
    expect(ids).toContain(await client.batches.random('m'));
    const seen: number[] = [];
    for (const id of ids) {
      const head = await client.batches.headData('m', id);
      expect(head.dtype).toBe('uint8');
      expect(head.shape.slice(1)).toEqual([2, 2]);
      expect(await client.batches.headLabels('m', id)).toMatchObject({ shape: [head.shape[0], 1], dtype: 'uint8', size: head.shape[0] });
      const data = await client.batches.data('m', id);
      const labelBytes = await client.batches.labels('m', id);
      const both = await client.batches.download('m', id);
      expect(both.data).toEqual({ ...head, bytes: data });
      expect(both.labels.bytes).toEqual(labelBytes);
      for (let r = 0; r < head.shape[0]; r++) {
        expect(labelBytes[r]).toBe(10 + data[r * 4]);
        seen.push(data[r * 4]);
      }
    }
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('a missing batch is a 404; a bad batch size a 400; data and labels that disagree a 422', async () => {
    expect(await failure(() => client.batches.headData('m', 'nope'))).toMatchObject({ status: 404 });
    expect(await failure(() => client.batches.labels('m', 'nope'))).toMatchObject({ status: 404, code: 'batch_not_found' });
    expect(await failure(() => client.batches.create('m', 'd', { ...parsers, batchSize: 0 }))).toMatchObject({ status: 400 });
    await client.data.upload('m', images, { id: 'short', shape: [2, 2], parser: 'idx-images' });
    await client.labels.upload('m', encodeIdx({ shape: [2], data: Uint8Array.of(1, 2) }), { id: 'short', shape: [1], parser: 'idx-labels' });
    const mismatch = await failure(() => client.batches.create('m', 'short', { ...parsers, batchSize: 2 }));
    expect(mismatch.status).toBe(422);
    expect(mismatch.message).toContain('returned 7 records');
  });
});

describe('sessions', () => {
  it('create with data; get as JSON and as binary weights agree', async () => {
    const { id } = await client.sessions.create('m', { shape: [2, 2], data: [1, 2, 3, 4], alpha: 0.5, loss: 3 });
    expect(await client.sessions.list('m')).toContain(id);
    const json = await client.sessions.get('m', id);
    expect(json).toMatchObject({ id, model: 'm', alpha: 0.5, loss: 3, version: 0, weights: { shape: [2, 2], data: [1, 2, 3, 4] } });
    const binary = await client.sessions.weights('m', id);
    expect(binary).toEqual({ shape: [2, 2], data: Float32Array.of(1, 2, 3, 4), version: 0, loss: 3, alpha: 0.5 });
    expect(await client.sessions.status('m', id)).toEqual({ shape: [2, 2], version: 0, loss: 3, alpha: 0.5 });
  });

  it('postWeights (binary) and postWeightsJson merge with alpha; postLoss lands in losses', async () => {
    const { id } = await client.sessions.create('m', { id: 'merge', shape: [3], alpha: 0.5 });
    expect(await client.sessions.postWeights('m', id, Float32Array.of(2, 4, 6))).toEqual({ version: 1 });
    expect(await client.sessions.postWeightsJson('m', id, { shape: [3], data: [2, 4, 6] })).toEqual({ version: 2 });
    expect((await client.sessions.weights('m', id)).data).toEqual(Float32Array.of(1.5, 3, 4.5));
    await client.sessions.postLoss('m', id, 0.75);
    await client.sessions.postLoss('m', id, 0.5);
    const losses = await client.sessions.losses('m', id);
    expect(losses.map((p) => p.loss)).toEqual([0.75, 0.5]);
    expect(losses[0]).toMatchObject({ version: 2 });
    expect(Date.parse(losses[0].at)).not.toBeNaN();
    expect((await client.sessions.get('m', id)).loss).toBe(0.5);
  });

  it('a taken id is a 409, a bad alpha or wrong data length a 400, an unknown model a 404', async () => {
    await client.sessions.create('m', { id: 'once', shape: [1] });
    expect(await failure(() => client.sessions.create('m', { id: 'once', shape: [1] }))).toMatchObject({ status: 409, code: 'session_exists' });
    expect(await failure(() => client.sessions.create('m', { shape: [1], alpha: 2 }))).toMatchObject({ status: 400 });
    expect(await failure(() => client.sessions.create('m', { shape: [2], data: [1] }))).toMatchObject({ status: 400 });
    expect(await failure(() => client.sessions.create('ghost', { shape: [1] }))).toMatchObject({ status: 404, code: 'model_not_found' });
    expect(await failure(() => client.sessions.list('ghost'))).toMatchObject({ status: 404 });
  });

  it('a wrong weights shape is a 400; an unknown session a 404 on every session route', async () => {
    await client.sessions.create('m', { id: 'shaped', shape: [2] });
    const shape = await failure(() => client.sessions.postWeights('m', 'shaped', Float32Array.of(1, 2, 3)));
    expect(shape).toMatchObject({ status: 400 });
    expect(shape.message).toContain('[3]');
    await expect(client.sessions.postWeights('m', 'shaped', Float32Array.of(1, 2), [3])).rejects.toThrow(RangeError);
    for (const call of [
      () => client.sessions.get('m', 'absent'),
      () => client.sessions.weights('m', 'absent'),
      () => client.sessions.postWeights('m', 'absent', Float32Array.of(1)),
      () => client.sessions.postLoss('m', 'absent', 1),
      () => client.sessions.losses('m', 'absent'),
    ]) {
      expect(await failure(call)).toMatchObject({ status: 404, code: 'session_not_found' });
    }
  });
});
