import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { batchOk, listBatches, uploadDataset, uploadModel } from './helpers/batch-uploads.js';
import { idxImages, idxLabels } from './helpers/idx.js';

const idx = { data_parser: 'idx-images', label_parser: 'idx-labels' };

/** Draws GET /model/:model/batch `draws` times and returns how often each id came up. */
async function draw(base: string, model: string, draws: number): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  // A few clients at a time, as workers would ask.
  const client = async (share: number) => {
    for (let i = 0; i < share; i++) {
      const res = await fetch(`${base}/model/${model}/batch`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      const id = await res.text();
      seen.set(id, (seen.get(id) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: 8 }, () => client(draws / 8)));
  return seen;
}

/** Pearson's chi-square of the counts against a uniform draw over `ids`. */
function chiSquare(seen: Map<string, number>, ids: string[], draws: number): number {
  const expected = draws / ids.length;
  return ids.reduce((sum, id) => sum + ((seen.get(id) ?? 0) - expected) ** 2 / expected, 0);
}

/** A loose bound: mean + 6 standard deviations of the chi-square distribution (p far below 1e-4). */
const looseBound = (ids: string[]) => ids.length - 1 + 6 * Math.sqrt(2 * (ids.length - 1));

describe('GET /model/:model/batch', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    await uploadModel(server.url, 'm');
    for (const [id, n] of [['a', 100], ['b', 40]] as const) {
      await uploadDataset(server.url, 'm', 'data', id, [1, 1], 'idx-images', idxImages(n, 1, 1, (i) => i));
      await uploadDataset(server.url, 'm', 'labels', id, [1], 'idx-labels', idxLabels(Array.from({ length: n }, (_, i) => i % 10)));
    }
  });
  afterAll(() => server.close({ remove: true }));

  it('picks uniformly among the model batches', async () => {
    await batchOk(server.url, 'm', 'a', { ...idx, batch_size: 5 });
    const ids = await listBatches(server.url, 'm');
    expect(ids).toHaveLength(20);
    const seen = await draw(server.url, 'm', 1000);
    expect([...seen.keys()].every((id) => ids.includes(id))).toBe(true);
    expect(chiSquare(seen, ids, 1000)).toBeLessThan(looseBound(ids));
  });

  it('stays uniform over every batch of every dataset after a set shrinks', async () => {
    await batchOk(server.url, 'm', 'b', { ...idx, batch_size: 8 });
    // 'a' goes from 20 batches to 2: the model's index must close the gap it leaves.
    await batchOk(server.url, 'm', 'a', { ...idx, batch_size: 50 });
    const ids = await listBatches(server.url, 'm');
    expect(ids).toHaveLength(7);
    const seen = await draw(server.url, 'm', 700);
    expect([...seen.keys()].sort()).toEqual([...ids].sort());
    expect(chiSquare(seen, ids, 700)).toBeLessThan(looseBound(ids));
  });
});
