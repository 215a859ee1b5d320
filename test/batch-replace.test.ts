import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { batchOk, downloadPart, listBatches, postBatch, uploadDataset, uploadModel, uploadParser } from './helpers/batch-uploads.js';
import { idxImages, idxLabels } from './helpers/idx.js';

const count = 100;
const pixel = (image: number, offset: number) => image * 2 + offset;
const images = idxImages(count, 2, 2, pixel);
const labels = Array.from({ length: count }, (_, i) => i % 10);
const idx = { data_parser: 'idx-images', label_parser: 'idx-labels' };

// Returns one label per byte and fails after 50 of them: a run that dies after writing batches.
const failsLate = `seen = 0
function parse(chunk, n)
  local out = {}
  for i = 1, n do
    seen = seen + 1
    if seen > 50 then error("label " .. seen .. " is corrupt") end
    out[#out + 1] = chunk:sub(i, i)
  end
  return out
end`;

// An IDX image parser made slow (50 ms per chunk) so that two runs overlap.
const slowImages = `function parse(chunk, n)
  local until_ = os.clock() + 0.05
  while os.clock() < until_ do end
  if not header then header = true; chunk = chunk:sub(17) end
  buffer = (buffer or "") .. chunk
  local out = {}
  while #buffer >= 4 do out[#out + 1] = buffer:sub(1, 4); buffer = buffer:sub(5) end
  return out
end`;

describe('replacing a dataset batch set', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { PARSER_CHUNK_BYTES: '64' } });
    await uploadModel(server.url, 'm');
    await uploadParser(server.url, 'fails-late', failsLate);
    await uploadParser(server.url, 'slow-images', slowImages);
    await uploadDataset(server.url, 'm', 'data', 'a', [2, 2], 'idx-images', images);
    await uploadDataset(server.url, 'm', 'labels', 'a', [1], 'idx-labels', idxLabels(labels));
  });
  afterAll(() => server.close({ remove: true }));

  /** The model's set as a client sees it, checked against the source records. */
  async function currentSet() {
    const ids = await listBatches(server.url, 'm');
    const data: Uint8Array[] = [];
    const label: number[] = [];
    for (const id of ids) {
      data.push((await downloadPart(server.url, 'm', id, 'data')).bytes);
      label.push(...(await downloadPart(server.url, 'm', id, 'labels')).bytes);
    }
    expect(Buffer.concat(data).equals(Buffer.from(images.subarray(16)))).toBe(true);
    expect(label).toEqual(labels);
    return ids;
  }

  /** Every batch object in the store belongs to a listed batch: nothing stray, nothing missing. */
  async function expectStoreHoldsExactly(ids: string[]) {
    const stored: string[] = [];
    for await (const key of server.deps.store.list('batches/m/')) stored.push(key);
    expect(stored.sort()).toEqual(ids.flatMap((id) => [`batches/m/${id}/data`, `batches/m/${id}/labels`]).sort());
  }

  it('re-batching replaces the whole set and removes the old objects', async () => {
    await batchOk(server.url, 'm', 'a', { ...idx, batch_size: 10 });
    const first = await currentSet();
    expect(first).toHaveLength(10);
    await batchOk(server.url, 'm', 'a', { ...idx, batch_size: 25 });
    const second = await currentSet();
    expect(second).toHaveLength(4);
    expect(second.filter((id) => first.includes(id))).toEqual([]);
    const old = await fetch(`${server.url}/model/m/batch/${first[0]}/data`, { redirect: 'manual' });
    expect(old.status).toBe(404);
    await old.body?.cancel();
    await expectStoreHoldsExactly(second);
  });

  it('a re-batch that fails part-way leaves the previous set and removes what it wrote', async () => {
    await batchOk(server.url, 'm', 'a', { ...idx, batch_size: 10 });
    const before = await currentSet();
    const res = await postBatch(server.url, 'm', 'a', { ...idx, label_parser: 'fails-late', batch_size: 10 });
    expect(res.status).toBe(422);
    expect((await res.json()).error.message).toMatch(/'fails-late'.*label 51 is corrupt/);
    expect(await currentSet()).toEqual(before);
    await expectStoreHoldsExactly(before);
  });

  it('two runs of the same dataset at once: one answers 409, the set is the other run\'s', async () => {
    const [x, y] = await Promise.all([
      postBatch(server.url, 'm', 'a', { data_parser: 'slow-images', label_parser: 'idx-labels', batch_size: 20 }),
      new Promise((r) => setTimeout(r, 30)).then(() => postBatch(server.url, 'm', 'a', { ...idx, batch_size: 50 })),
    ]);
    expect(x.status).toBe(200);
    expect(await x.json()).toEqual({ batches: 5, records: 100 });
    expect(y.status).toBe(409);
    expect((await y.json()).error.message).toMatch(/already being batched/);
    const ids = await currentSet();
    expect(ids).toHaveLength(5);
    await expectStoreHoldsExactly(ids);
  });

  it('concurrent runs never leave a mixed set, whichever wins', async () => {
    const sizes = [7, 11, 20, 33];
    const responses = await Promise.all(sizes.map((batch_size) => postBatch(server.url, 'm', 'a', { ...idx, batch_size })));
    const statuses = responses.map((r) => r.status);
    await Promise.all(responses.map((r) => r.body?.cancel()));
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    expect(statuses).toContain(200);
    const ids = await currentSet();
    // One run's set: the batch count of one of the sizes that succeeded, ids of one run.
    const winners = sizes.filter((_, i) => statuses[i] === 200).map((s) => Math.ceil(count / s));
    expect(winners).toContain(ids.length);
    expect(new Set(ids.map((id) => id.replace(/-\d+$/, ''))).size).toBe(1);
    await expectStoreHoldsExactly(ids);
  });
});

describe('batch runs at once', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { PARSER_CHUNK_BYTES: '64', MAX_BATCH_RUNS: '1' } });
    await uploadModel(server.url, 'm');
    await uploadParser(server.url, 'slow-images', slowImages);
    for (const id of ['a', 'b']) {
      await uploadDataset(server.url, 'm', 'data', id, [2, 2], 'idx-images', images);
      await uploadDataset(server.url, 'm', 'labels', id, [1], 'idx-labels', idxLabels(labels));
    }
  });
  afterAll(() => server.close({ remove: true }));

  it('past MAX_BATCH_RUNS a run of another dataset answers 503 with Retry-After, and runs once one ends', async () => {
    const [first, second] = await Promise.all([
      postBatch(server.url, 'm', 'a', { data_parser: 'slow-images', label_parser: 'idx-labels', batch_size: 20 }),
      new Promise((r) => setTimeout(r, 30)).then(() => postBatch(server.url, 'm', 'b', { ...idx, batch_size: 20 })),
    ]);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ batches: 5, records: 100 });
    expect(second.status).toBe(503);
    expect(second.headers.get('retry-after')).toBe('10');
    expect((await second.json()).error).toEqual({ code: 'batching_busy', message: expect.stringMatching(/MAX_BATCH_RUNS=1/) });
    // Nothing of the refused run was kept; once the first run is over the same request runs.
    expect(await listBatches(server.url, 'm')).toHaveLength(5);
    await batchOk(server.url, 'm', 'b', { ...idx, batch_size: 20 });
    expect(await listBatches(server.url, 'm')).toHaveLength(10);
  });
});
