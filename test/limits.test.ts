import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../app/storage/object-store.js';
import { bodySetting } from '../app/limits.js';
import { batchOk, listBatches, postBatch, uploadDataset, uploadModel } from './helpers/batch-uploads.js';
import { expectJsonError } from './helpers/object-routes.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const KiB = 1024;

/** A body of `total` bytes sent without Content-Length (chunked), in 16 KiB pieces. */
function chunked(total: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= total) return controller.close();
      const piece = new Uint8Array(Math.min(16 * KiB, total - sent)).fill(7);
      sent += piece.byteLength;
      controller.enqueue(piece);
    },
  });
}

const send = (url: string, init: RequestInit & { body?: unknown }) => fetch(url, { duplex: 'half', ...init } as RequestInit);

describe('bodySetting: uploads stream big, tensors are bounded, everything else is small', () => {
  it('picks the cap of each route and MAX_JSON_BYTES for any other', () => {
    expect(bodySetting('PUT', '/blobs/models/m')).toBe('MAX_UPLOAD_BYTES');
    expect(bodySetting('PUT', '/model/m')).toBe('MAX_UPLOAD_BYTES');
    expect(bodySetting('PUT', '/model/m/labels/x')).toBe('MAX_UPLOAD_BYTES');
    expect(bodySetting('PUT', '/model/m/session')).toBe('MAX_TENSOR_BYTES');
    expect(bodySetting('POST', '/model/m/session/s/weights')).toBe('MAX_TENSOR_BYTES');
    expect(bodySetting('POST', '/model/m/session/s/loss')).toBe('MAX_JSON_BYTES');
    expect(bodySetting('POST', '/model/m/data/d/batch')).toBe('MAX_JSON_BYTES');
    expect(bodySetting('POST', '/some/new/route')).toBe('MAX_JSON_BYTES');
  });
});

describe('request limits over HTTP', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({
      env: {
        MAX_UPLOAD_BYTES: String(256 * KiB),
        MAX_JSON_BYTES: String(4 * KiB),
        MAX_URL_BYTES: '600',
        MAX_HEADER_BYTES: String(4 * KiB),
        MAX_SESSIONS_PER_MODEL: '2',
        MAX_BATCHES_PER_DATASET: '3',
      },
    });
    await uploadModel(s.url, 'm');
  });
  afterAll(() => s.close({ remove: true }));

  it('a JSON body over MAX_JSON_BYTES answers 413, declared or chunked', async () => {
    const body = JSON.stringify({ loss: 1, pad: 'x'.repeat(8 * KiB) });
    const url = `${s.url}/model/m/data/d/batch`;
    await expectJsonError(await send(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body }), 413, /MAX_JSON_BYTES/);
    await expectJsonError(await send(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: chunked(8 * KiB) }), 413, /MAX_JSON_BYTES/);
  });

  it('a signed upload over MAX_UPLOAD_BYTES answers 413 and stores nothing, declared or chunked', async () => {
    for (const [id, body] of [
      ['declared', new Blob([new Uint8Array(300 * KiB)])],
      ['streamed', chunked(2 * 1024 * KiB)],
    ] as const) {
      const redirect = await fetch(`${s.url}/parser/${id}`, { method: 'PUT', headers: { 'x-amz-meta-name': id }, redirect: 'manual' });
      expect(redirect.status).toBe(307);
      const res = await send(redirect.headers.get('location')!, { method: 'PUT', body });
      await expectJsonError(res, 413, /MAX_UPLOAD_BYTES/);
      expect(await s.deps.store.stat(keys.parser(id))).toBeNull();
      expect(await fetch(`${s.url}/parsers`).then((r) => r.json())).not.toContain(id);
    }
  });

  it('an upload under the cap streams through whole', async () => {
    const redirect = await fetch(`${s.url}/parser/fits`, { method: 'PUT', headers: { 'x-amz-meta-name': 'fits' }, redirect: 'manual' });
    const res = await send(redirect.headers.get('location')!, { method: 'PUT', body: chunked(200 * KiB) });
    expect(res.status, await res.text()).toBe(200);
    expect((await s.deps.store.stat(keys.parser('fits')))?.size).toBe(200 * KiB);
  });

  it('the app upload route refuses a body it would have to pass on over the cap', async () => {
    const res = await fetch(`${s.url}/model/big`, { method: 'PUT', headers: { 'x-amz-meta-name': 'big' }, body: new Blob([new Uint8Array(300 * KiB)]) });
    await expectJsonError(res, 413, /MAX_UPLOAD_BYTES/);
  });

  it('a URL over MAX_URL_BYTES answers 414', async () => {
    await expectJsonError(await fetch(`${s.url}/model/${'a'.repeat(700)}`), 414, /MAX_URL_BYTES/);
  });

  it('headers over MAX_HEADER_BYTES answer 431', async () => {
    await expectJsonError(await fetch(`${s.url}/models`, { headers: { 'x-padding': 'p'.repeat(5 * KiB) } }), 431, /MAX_HEADER_BYTES/);
  });

  it('an id over 128 characters answers 400', async () => {
    await expectJsonError(await fetch(`${s.url}/model/${'a'.repeat(129)}`), 400);
  });

  it('a model takes at most MAX_SESSIONS_PER_MODEL sessions (409 after)', async () => {
    const create = () =>
      fetch(`${s.url}/model/m/session`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ shape: [2] }) });
    expect((await create()).status).toBe(200);
    expect((await create()).status).toBe(200);
    await expectJsonError(await create(), 409, /MAX_SESSIONS_PER_MODEL/);
    expect(await fetch(`${s.url}/model/m/sessions`).then((r) => r.json())).toHaveLength(2);
  });

  it('concurrent creates cannot push a model past MAX_SESSIONS_PER_MODEL', async () => {
    await uploadModel(s.url, 'crowded');
    const body = JSON.stringify({ shape: [2] });
    // Every request's headers (which the cap sees first) arrive before any body is complete.
    const requests = Array.from({ length: 5 }, () => {
      const req = http.request(`${s.url}/model/crowded/session`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      });
      const status = new Promise<number>((resolve, reject) => {
        req.on('response', (res) => (res.resume(), resolve(res.statusCode!)));
        req.on('error', reject);
      });
      req.write(body.slice(0, 5));
      return { req, status };
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const { req } of requests) req.end(body.slice(5));
    const statuses = await Promise.all(requests.map((r) => r.status));
    expect(statuses.sort()).toEqual([200, 200, 409, 409, 409]);
    expect(await fetch(`${s.url}/model/crowded/sessions`).then((r) => r.json())).toHaveLength(2);
  });

  it('a dataset makes at most MAX_BATCHES_PER_DATASET batches (422), keeping its previous set', async () => {
    const csv = Array.from({ length: 6 }, (_, i) => `${i}`).join('\n');
    await uploadDataset(s.url, 'm', 'data', 'd', [1], 'csv', csv);
    await uploadDataset(s.url, 'm', 'labels', 'd', [1], 'csv', csv);
    await batchOk(s.url, 'm', 'd', { data_parser: 'csv', label_parser: 'csv', batch_size: 2 });
    const before = await listBatches(s.url, 'm');
    expect(before).toHaveLength(3);
    const res = await postBatch(s.url, 'm', 'd', { data_parser: 'csv', label_parser: 'csv', batch_size: 1 });
    await expectJsonError(res, 422, /MAX_BATCHES_PER_DATASET/);
    expect(await listBatches(s.url, 'm')).toEqual(before);
  });
});

describe('bodies no handler reads', () => {
  let plain: TestServer;
  beforeAll(async () => (plain = await startTestServer()));
  afterAll(() => plain.close({ remove: true }));

  it('a body the app route never reads does not break the next request on the same connection', async () => {
    // fetch sends the whole file to the app route before following its 307.
    for (const [i, body] of [new Blob([new Uint8Array(3 * 1024 * KiB)]), chunked(3 * 1024 * KiB), new Blob(['tiny'])].entries()) {
      const res = await send(`${plain.url}/parser/reuse-${i}`, { method: 'PUT', headers: { 'x-amz-meta-name': 'r' }, body, redirect: 'manual' });
      expect(res.status, await res.text()).toBe(307);
      expect((await fetch(`${plain.url}/parsers`)).status).toBe(200);
    }
  });
});
