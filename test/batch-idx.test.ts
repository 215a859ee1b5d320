import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { batchOk, downloadPart, listBatches, uploadDataset, uploadModel } from './helpers/batch-uploads.js';
import { idxImages, idxLabels } from './helpers/idx.js';

// 1000 images of 7x5: not a multiple of 32, and odd-sized records so chunks split them.
const count = 1000;
const rows = 7;
const cols = 5;
const size = rows * cols;
const pixel = (image: number, offset: number) => (image * 31 + offset * 7) % 256;
const labels = Array.from({ length: count }, (_, i) => (i * 13) % 10);

describe.each(['embedded', 'minio'] as const)('batching a generated IDX dataset with the bundled parsers (%s store)', (storage) => {
  let server: TestServer;
  beforeAll(async () => {
    // A chunk size that is neither a multiple of the record size nor of the header.
    server = await startTestServer({ storage, env: { PARSER_CHUNK_BYTES: '1000' } });
    await uploadModel(server.url, 'mnist');
    await uploadDataset(server.url, 'mnist', 'data', 'train', [rows, cols], 'idx-images', idxImages(count, rows, cols, pixel));
    await uploadDataset(server.url, 'mnist', 'labels', 'train', [1], 'idx-labels', idxLabels(labels));
  });
  afterAll(() => server.close({ remove: true }));

  it('POST /model/:model/data/:id/batch cuts ceil(N/32) byte-exact batches with aligned labels', async () => {
    const result = await batchOk(server.url, 'mnist', 'train', { data_parser: 'idx-images', label_parser: 'idx-labels', batch_size: 32 });
    expect(result).toEqual({ batches: Math.ceil(count / 32), records: count });

    const ids = await listBatches(server.url, 'mnist');
    expect(ids).toHaveLength(Math.ceil(count / 32));
    let next = 0;
    for (const id of ids) {
      const data = await downloadPart(server.url, 'mnist', id, 'data');
      const label = await downloadPart(server.url, 'mnist', id, 'labels');
      const n = data.shape[0];
      expect(n).toBe(Math.min(32, count - next));
      expect(data.shape).toEqual([n, rows, cols]);
      expect(data.dtype).toBe('uint8');
      expect(label.shape).toEqual([n, 1]);
      expect(label.dtype).toBe('uint8');
      const expected = new Uint8Array(n * size);
      for (let i = 0; i < n; i++) for (let p = 0; p < size; p++) expected[i * size + p] = pixel(next + i, p);
      expect(Buffer.from(data.bytes).equals(Buffer.from(expected))).toBe(true);
      expect(Array.from(label.bytes)).toEqual(labels.slice(next, next + n));
      next += n;
    }
    expect(next).toBe(count);
  });
});
