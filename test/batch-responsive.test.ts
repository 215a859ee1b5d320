import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { postBatch, uploadDataset, uploadModel } from './helpers/batch-uploads.js';
import { idxImages, idxLabels } from './helpers/idx.js';

const images = 20_000; // 15.7 MB of 28x28 images

describe('while a large dataset is batched', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    await uploadModel(server.url, 'm');
    await uploadDataset(server.url, 'm', 'data', 'big', [28, 28], 'idx-images', idxImages(images, 28, 28, (i, p) => i ^ p));
    await uploadDataset(server.url, 'm', 'labels', 'big', [1], 'idx-labels', idxLabels(Array.from({ length: images }, (_, i) => i % 10)));
  });
  afterAll(() => server.close({ remove: true }));

  it('other requests are answered promptly', async () => {
    const started = Date.now();
    let done = false;
    const run = postBatch(server.url, 'm', 'big', { data_parser: 'idx-images', label_parser: 'idx-labels', batch_size: 64 }).then(async (res) => {
      done = true;
      return { status: res.status, body: await res.json() };
    });
    const latencies: number[] = [];
    while (!done) {
      const sent = Date.now();
      const res = await fetch(`${server.url}/model/m/batches`);
      await res.arrayBuffer();
      if (!done) latencies.push(Date.now() - sent);
      await new Promise((r) => setTimeout(r, 10));
    }
    const { status, body } = await run;
    const runMs = Date.now() - started;
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body).toEqual({ batches: Math.ceil(images / 64), records: images });
    // A held event loop would make one request wait for most of the run.
    expect(latencies.length).toBeGreaterThan(5);
    expect(Math.max(...latencies)).toBeLessThan(Math.max(250, runMs / 4));
  });
});
