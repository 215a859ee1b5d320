import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendError } from '../app/errors.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { batchOk, listBatches, postBatch, uploadDataset, uploadModel, uploadParser, type BatchFields } from './helpers/batch-uploads.js';
import { idxImages, idxLabels } from './helpers/idx.js';

const good: BatchFields = { data_parser: 'idx-images', label_parser: 'idx-labels', batch_size: 4 };
const tenLabels = idxLabels([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

async function expectError(res: Response, status: number, message?: RegExp) {
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(typeof body.error.code).toBe('string');
  if (message) expect(body.error.message).toMatch(message);
  return body;
}

describe('POST /model/:model/data/:id/batch errors', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    const url = server.url;
    await uploadModel(url, 'm');
    await uploadDataset(url, 'm', 'data', 'd', [2, 2], 'idx-images', idxImages(10, 2, 2, (i, p) => i * 4 + p));
    await uploadDataset(url, 'm', 'labels', 'd', [1], 'idx-labels', tenLabels);
    await uploadDataset(url, 'm', 'data', 'no-labels', [2, 2], 'idx-images', idxImages(10, 2, 2, () => 1));
    await uploadDataset(url, 'm', 'data', 'short', [2, 2], 'idx-images', idxImages(10, 2, 2, () => 1));
    await uploadDataset(url, 'm', 'labels', 'short', [1], 'idx-labels', idxLabels([1, 2, 3, 4, 5, 6, 7, 8, 9]));
    await uploadDataset(url, 'm', 'data', 'wrong-shape', [3, 3], 'idx-images', idxImages(10, 2, 2, () => 1));
    await uploadDataset(url, 'm', 'labels', 'wrong-shape', [1], 'idx-labels', tenLabels);
    await uploadDataset(url, 'm', 'data', 'raw', [2], 'idx-images', 'abcdefghij');
    await uploadDataset(url, 'm', 'labels', 'raw', [1], 'idx-labels', tenLabels);
    await uploadDataset(url, 'm', 'data', 'wide', [10, 10], 'idx-images', idxImages(10, 10, 10, () => 1));
    await uploadDataset(url, 'm', 'labels', 'wide', [1], 'idx-labels', tenLabels);
    await uploadDataset(url, 'm', 'data', 'empty', [2], 'idx-images', idxImages(0, 2, 2, () => 0));
    await uploadDataset(url, 'm', 'labels', 'empty', [1], 'idx-labels', idxLabels([]));
    await uploadParser(url, 'boom', '-- fails on its third line\nfunction parse(chunk, n)\n  error("boom at byte " .. n)\nend');
    await uploadParser(url, 'ragged', 'i = 0\nfunction parse(chunk, n)\n  local out = {}\n  for k = 1, #chunk do i = i + 1; out[#out + 1] = string.rep("x", i == 1 and 2 or 3) end\n  return out\nend');
    await uploadParser(url, 'mixed', 'i = 0\nfunction parse(chunk, n)\n  local out = {}\n  for k = 1, #chunk do i = i + 1; out[#out + 1] = (i % 2 == 0) and "xy" or { 1, 2 } end\n  return out\nend');
  });
  afterAll(() => server.close({ remove: true }));

  it('answers 404 for an unknown model, dataset, labelset or parser', async () => {
    await expectError(await postBatch(server.url, 'nope', 'd', good), 404, /Model 'nope'/);
    await expectError(await postBatch(server.url, 'm', 'nope', good), 404, /Dataset 'nope'/);
    await expectError(await postBatch(server.url, 'm', 'no-labels', good), 404, /Labelset 'no-labels'/);
    await expectError(await postBatch(server.url, 'm', 'd', { ...good, data_parser: 'missing' }), 404, /Parser 'missing'/);
    await expectError(await postBatch(server.url, 'm', 'd', { ...good, label_parser: 'gone' }), 404, /Parser 'gone'/);
  });

  it.each([
    ['no data_parser', { label_parser: 'idx-labels', batch_size: 4 }, /data_parser/],
    ['no label_parser', { data_parser: 'idx-images', batch_size: 4 }, /label_parser/],
    ['no batch_size', { data_parser: 'idx-images', label_parser: 'idx-labels' }, /batch_size/],
    ['batch_size 0', { ...good, batch_size: 0 }, /batch_size: must be at least 1/],
    ['batch_size -3', { ...good, batch_size: -3 }, /batch_size: must be (a whole number|at least 1)/],
    ['batch_size 2.5', { ...good, batch_size: 2.5 }, /batch_size: must be a whole number/],
    ['batch_size abc', { ...good, batch_size: 'abc' }, /batch_size: must be a whole number/],
    ['batch_size too big', { ...good, batch_size: 10_000_001 }, /batch_size: must be at most 1000000/],
    ['a bad parser id', { ...good, data_parser: '../etc' }, /data_parser/],
  ])('answers 400 for %s, in every body encoding', async (_, fields, message) => {
    for (const encoding of ['multipart', 'urlencoded', 'json'] as const) {
      await expectError(await postBatch(server.url, 'm', 'd', fields as BatchFields, encoding), 400, message);
    }
  });

  it('answers 400 for a body it cannot read', async () => {
    const url = `${server.url}/model/m/data/d/batch`;
    await expectError(await fetch(url, { method: 'POST', body: 'batch_size=4', headers: { 'Content-Type': 'text/plain' } }), 400, /Content-Type/);
    await expectError(await fetch(url, { method: 'POST', body: '{"batch_size":', headers: { 'Content-Type': 'application/json' } }), 400);
    await expectError(await fetch(url, { method: 'POST', body: '[1,2]', headers: { 'Content-Type': 'application/json' } }), 400);
    await expectError(await fetch(`${server.url}/model/.bad/data/d/batch`, { method: 'POST', body: new URLSearchParams({}) }), 400, /model id/);
  });

  it('accepts the fields urlencoded and as JSON too', async () => {
    for (const encoding of ['urlencoded', 'json'] as const) {
      const res = await postBatch(server.url, 'm', 'd', good, encoding);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ batches: 3, records: 10 });
    }
  });

  it('answers 422 naming the parser and the Lua error with its line', async () => {
    await expectError(await postBatch(server.url, 'm', 'd', { ...good, data_parser: 'boom' }), 422, /'boom'.*boom\W*:3: boom at byte/);
  });

  it('answers 422 when data and labels hold different record counts', async () => {
    await expectError(await postBatch(server.url, 'm', 'short', good), 422, /10 records.*9/);
  });

  it('answers 422 when records do not match the declared shape, differ in size or mix types', async () => {
    await expectError(await postBatch(server.url, 'm', 'wrong-shape', good), 422, /shape \[3,3\] needs 9/);
    await expectError(await postBatch(server.url, 'm', 'raw', { ...good, data_parser: 'ragged' }), 422, /record 1 .*needs 2/);
    await expectError(await postBatch(server.url, 'm', 'raw', { ...good, data_parser: 'mixed' }), 422, /uint8 record .*after float32/);
  });

  it('answers 422 when the parsers return no records', async () => {
    await expectError(await postBatch(server.url, 'm', 'empty', good), 422, /no records/);
  });

  it('answers 422 when batch_size would make oversized batches', async () => {
    await expectError(await postBatch(server.url, 'm', 'wide', { ...good, batch_size: 999_999 }), 422, /batch_size <= 671088/);
  });

  it('answers 500 when the store fails, and keeps the previous set and no stray objects', async () => {
    await batchOk(server.url, 'm', 'd', good);
    const before = await listBatches(server.url, 'm');
    const store = server.deps.store;
    const writeAll = store.writeAll;
    // The disk fills up after three objects of the set have landed.
    store.writeAll = async (objects) => {
      await writeAll.call(store, objects.slice(0, 3));
      throw new BackendError('store', 'disk full');
    };
    try {
      await expectError(await postBatch(server.url, 'm', 'd', { ...good, batch_size: 1 }), 500, /object store/);
    } finally {
      store.writeAll = writeAll;
    }
    expect(await listBatches(server.url, 'm')).toEqual(before);
    const stored: string[] = [];
    for await (const key of store.list('batches/m/')) stored.push(key);
    expect(stored.sort()).toEqual(before.flatMap((id) => [`batches/m/${id}/data`, `batches/m/${id}/labels`]).sort());
  });
});

describe('batch routes errors', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    await uploadModel(server.url, 'empty');
  });
  afterAll(() => server.close({ remove: true }));

  it('GET /model/:model/batches answers 404 for an unknown model and [] for a model without batches', async () => {
    await expectError(await fetch(`${server.url}/model/nope/batches`), 404, /Model 'nope'/);
    const res = await fetch(`${server.url}/model/empty/batches`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([]);
  });

  it('GET /model/:model/batch answers 404 JSON when the model has no batches or does not exist', async () => {
    await expectError(await fetch(`${server.url}/model/empty/batch`), 404, /no batches/);
    await expectError(await fetch(`${server.url}/model/nope/batch`), 404, /Model 'nope'/);
  });

  it('GET and HEAD of an unknown batch answer 404, a bad id 400', async () => {
    await expectError(await fetch(`${server.url}/model/empty/batch/b1/data`, { redirect: 'manual' }), 404, /Batch 'b1'/);
    await expectError(await fetch(`${server.url}/model/nope/batch/b1/labels`, { redirect: 'manual' }), 404, /Model 'nope'/);
    const head = await fetch(`${server.url}/model/empty/batch/b1/data`, { method: 'HEAD' });
    expect(head.status).toBe(404);
    expect(await head.text()).toBe('');
    await expectError(await fetch(`${server.url}/model/empty/batch/${'x'.repeat(200)}/data`), 400, /batch id/);
  });
});
