import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import {
  badIds,
  downloadThroughRedirect,
  everyByte,
  expectJsonError,
  getJson,
  uploadThroughRedirect,
} from './helpers/object-routes.js';

describe.each(['embedded', 'minio'] as const)('model routes (%s store)', (storage) => {
  let server: TestServer;
  let base: string;
  beforeAll(async () => {
    server = await startTestServer({ storage });
    base = server.url;
  });
  afterAll(() => server?.close({ remove: true }));

  it('PUT /model/:id answers 307 to a signed PUT URL, then GET /models lists the stored model', async () => {
    const before = Date.now();
    const answer = await uploadThroughRedirect(`${base}/model/listed`, { 'x-amz-meta-name': 'Listed' }, everyByte());
    expect(answer.id).toBe('listed');
    const expiresAt = Date.parse(answer.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + server.config.URL_EXPIRY_SECONDS * 1000 - 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + server.config.URL_EXPIRY_SECONDS * 1000);
    expect(await getJson<string[]>(`${base}/models`)).toContain('listed');
  });

  it('downloads the uploaded bytes unchanged through the 307, whatever Content-Type they were sent with', async () => {
    const bytes = everyByte();
    // The original admin client labels raw bytes multipart/form-data without a boundary.
    await uploadThroughRedirect(`${base}/model/exact`, { 'x-amz-meta-name': 'exact' }, bytes, 'multipart/form-data');
    expect(await downloadThroughRedirect(`${base}/model/exact`)).toEqual(bytes);
  });

  it('downloads with the Content-Type the object was uploaded with, as HEAD reports it', async () => {
    await uploadThroughRedirect(`${base}/model/typed`, { 'x-amz-meta-name': 'typed' }, everyByte(), 'application/json');
    const head = await fetch(`${base}/model/typed`, { method: 'HEAD' });
    expect(head.headers.get('content-type')).toBe('application/json');
    const download = await fetch(`${base}/model/typed`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/json');
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(everyByte());
  });

  it('hands repeated downloads the same signed URL, which keeps working', async () => {
    await uploadThroughRedirect(`${base}/model/popular`, { 'x-amz-meta-name': 'popular' }, everyByte());
    const first = await fetch(`${base}/model/popular`, { redirect: 'manual' });
    const second = await fetch(`${base}/model/popular`, { redirect: 'manual' });
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    expect(await downloadThroughRedirect(`${base}/model/popular`)).toEqual(everyByte());
  });

  it('follows the redirect like curl -L -T: one fetch re-sends the body (and headers) to the signed URL', async () => {
    const bytes = everyByte().reverse();
    const res = await fetch(`${base}/model/followed`, {
      method: 'PUT',
      headers: { 'x-amz-meta-name': 'followed', 'Content-Type': 'application/octet-stream' },
      body: new Blob([bytes]),
    });
    expect(res.status).toBe(200);
    const download = await fetch(`${base}/model/followed`);
    expect(download.status).toBe(200);
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(bytes);
  });

  it('HEAD /model/:id answers 200 with the name, size, type, ETag and Last-Modified', async () => {
    const bytes = everyByte();
    await uploadThroughRedirect(`${base}/model/headed`, { 'x-amz-meta-name': 'My model v1' }, bytes, 'application/json');
    const res = await fetch(`${base}/model/headed`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-amz-meta-name')).toBe('My model v1');
    expect(res.headers.get('content-length')).toBe(String(bytes.length));
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('etag')).toMatch(/^"[^"]+"$/);
    const lastModified = Date.parse(res.headers.get('last-modified')!);
    expect(Math.abs(lastModified - Date.now())).toBeLessThan(60_000);
    expect(await res.text()).toBe('');
  });

  it('answers 404 with a JSON error for an unknown model (GET) and a bare 404 for HEAD', async () => {
    await expectJsonError(await fetch(`${base}/model/nope`, { redirect: 'manual' }), 404, /nope/);
    const head = await fetch(`${base}/model/nope`, { method: 'HEAD' });
    expect(head.status).toBe(404);
  });

  it('PUT /model/:id answers 409 when the model exists, and when its upload is in progress', async () => {
    await uploadThroughRedirect(`${base}/model/taken`, { 'x-amz-meta-name': 'taken' }, everyByte());
    const again = await fetch(`${base}/model/taken`, { method: 'PUT', headers: { 'x-amz-meta-name': 'other' }, redirect: 'manual' });
    await expectJsonError(again, 409, /already exists/);

    const first = await fetch(`${base}/model/busy`, { method: 'PUT', headers: { 'x-amz-meta-name': 'busy' }, redirect: 'manual' });
    expect(first.status).toBe(307);
    const second = await fetch(`${base}/model/busy`, { method: 'PUT', headers: { 'x-amz-meta-name': 'busy' }, redirect: 'manual' });
    await expectJsonError(second, 409, /in progress until \d{4}-\d\d-\d\dT/);
    // The original download still works: nothing was replaced.
    expect(await downloadThroughRedirect(`${base}/model/taken`)).toEqual(everyByte());
  });

  it('does not list or serve a model whose upload has not arrived', async () => {
    const res = await fetch(`${base}/model/pending`, { method: 'PUT', headers: { 'x-amz-meta-name': 'p' }, redirect: 'manual' });
    expect(res.status).toBe(307);
    expect(await getJson<string[]>(`${base}/models`)).not.toContain('pending');
    await expectJsonError(await fetch(`${base}/model/pending`, { redirect: 'manual' }), 404);
    expect((await fetch(`${base}/model/pending`, { method: 'HEAD' })).status).toBe(404);
  });

  it('PUT /model/:id answers 400 saying what to send when x-amz-meta-name is missing or empty', async () => {
    const missing = await fetch(`${base}/model/nameless`, { method: 'PUT', redirect: 'manual' });
    await expectJsonError(missing, 400, /x-amz-meta-name/);
    const empty = await fetch(`${base}/model/nameless`, { method: 'PUT', headers: { 'x-amz-meta-name': '  ' }, redirect: 'manual' });
    await expectJsonError(empty, 400, /x-amz-meta-name/);
    const long = await fetch(`${base}/model/nameless`, { method: 'PUT', headers: { 'x-amz-meta-name': 'n'.repeat(300) }, redirect: 'manual' });
    await expectJsonError(long, 400, /256/);
    expect(await getJson<string[]>(`${base}/models`)).not.toContain('nameless');
  });

  it('lets browsers upload cross-origin: preflight allows the x-amz-meta-* headers, answers expose the id and metadata', async () => {
    const origin = { Origin: 'https://volunteer.example' };
    const preflight = await fetch(`${base}/model/cors`, {
      method: 'OPTIONS',
      headers: { ...origin, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'x-amz-meta-name,x-amz-meta-shape,x-amz-meta-parser' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    const allowed = preflight.headers.get('access-control-allow-headers')!.toLowerCase();
    for (const header of ['x-amz-meta-name', 'x-amz-meta-shape', 'x-amz-meta-parser']) expect(allowed).toContain(header);

    const upload = await fetch(`${base}/model/cors`, { method: 'PUT', headers: { ...origin, 'x-amz-meta-name': 'cors' }, redirect: 'manual' });
    expect(upload.status).toBe(307);
    // Every header, X-Object-Id included (test/browser.test.ts reads one cross-origin in Chromium).
    expect(upload.headers.get('access-control-expose-headers')).toBe('*');
  });

  it.each(badIds)('answers 400 with a JSON error for the bad id %s on GET, HEAD and PUT', async (id) => {
    await expectJsonError(await fetch(`${base}/model/${id}`, { redirect: 'manual' }), 400, /id/);
    expect((await fetch(`${base}/model/${id}`, { method: 'HEAD' })).status).toBe(400);
    const put = await fetch(`${base}/model/${id}`, { method: 'PUT', headers: { 'x-amz-meta-name': 'x' }, redirect: 'manual' });
    await expectJsonError(put, 400, /model id/);
  });

  it('answers a JSON 404 (no route) for an empty id', async () => {
    await expectJsonError(await fetch(`${base}/model/`, { redirect: 'manual' }), 404);
    await expectJsonError(await fetch(`${base}/model/`, { method: 'PUT', headers: { 'x-amz-meta-name': 'x' }, redirect: 'manual' }), 404);
  });
});
