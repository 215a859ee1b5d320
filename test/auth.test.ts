import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleFor } from '../app/auth.js';
import { expectJsonError } from './helpers/object-routes.js';
import { rawRequest } from './helpers/raw-http.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const ADMIN = 'admin-token-0123456789abcdef';
const WORKER = 'worker-token-0123456789abcdef';

const bearer = (token?: string): Record<string, string> => (token ? { Authorization: `Bearer ${token}` } : {});

/** An upload (admin route): 307 to the signed URL when allowed. */
const putModel = (s: TestServer, id: string, token?: string) =>
  fetch(`${s.url}/model/${id}`, { method: 'PUT', headers: { 'x-amz-meta-name': id, ...bearer(token) }, body: '{}', redirect: 'manual' });
/** A read (worker route). */
const listModels = (s: TestServer, token?: string) => fetch(`${s.url}/models`, { headers: bearer(token) });
/** A worker write: past the token check it is the route's own 404 (no such session). */
const postLoss = (s: TestServer, token?: string) =>
  fetch(`${s.url}/model/none/session/none/loss`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...bearer(token) },
    body: JSON.stringify({ loss: 1 }),
  });

async function expectUnauthorized(res: Response) {
  expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
  await expectJsonError(res, 401, /Authorization: Bearer/);
}

describe('roleFor: one table, safe defaults', () => {
  it('maps every route of the spec to its role', () => {
    const admin = [
      ['PUT', '/model/m'],
      ['PUT', '/parser'],
      ['PUT', '/parser/p'],
      ['PUT', '/model/m/data'],
      ['PUT', '/model/m/data/d'],
      ['PUT', '/model/m/labels'],
      ['PUT', '/model/m/labels/d'],
      ['POST', '/model/m/data/d/batch'],
      ['PUT', '/model/m/session'],
    ];
    const worker = [
      ['GET', '/models'],
      ['GET', '/model/m'],
      ['HEAD', '/model/m'],
      ['GET', '/parsers'],
      ['GET', '/parser/p'],
      ['GET', '/model/m/data/d'],
      ['HEAD', '/model/m/labels/d'],
      ['GET', '/model/m/batches'],
      ['GET', '/model/m/batch'],
      ['GET', '/model/m/batch/b/data'],
      ['GET', '/model/m/session/s'],
      ['GET', '/model/m/sessions'],
      ['POST', '/model/m/session/s/weights'],
      ['POST', '/model/m/session/s/loss'],
    ];
    const open = [
      ['GET', '/healthz'],
      ['PUT', '/blobs/models/m'],
      ['GET', '/blobs/batches/m/b/data'],
      ['OPTIONS', '/model/m'],
      ['GET', '/'],
      ['HEAD', '/'],
      ['GET', '/train/m/s'],
      ['GET', '/assets/dashboard-abc123.js'],
    ];
    for (const [method, path] of admin) expect(roleFor(method, path), `${method} ${path}`).toBe('admin');
    for (const [method, path] of worker) expect(roleFor(method, path), `${method} ${path}`).toBe('worker');
    for (const [method, path] of open) expect(roleFor(method, path), `${method} ${path}`).toBe('public');
  });

  it('protects routes it has never heard of: reads need a worker, anything else the admin', () => {
    expect(roleFor('GET', '/model/m/some-future-route')).toBe('worker');
    expect(roleFor('DELETE', '/model/m')).toBe('admin');
    expect(roleFor('POST', '/model/m/session/s/weights/extra')).toBe('admin');
    expect(roleFor('PATCH', '/healthz/x')).toBe('admin');
    expect(roleFor('POST', '/blobsx/models/m')).toBe('admin');
    expect(roleFor('POST', '/train/m/s')).toBe('admin');
    expect(roleFor('GET', '/train/m/s/extra')).toBe('worker');
  });
});

describe('no token set', () => {
  let s: TestServer;
  beforeAll(async () => (s = await startTestServer()));
  afterAll(() => s.close({ remove: true }));

  it('keeps every route open', async () => {
    expect((await putModel(s, 'open')).status).toBe(307);
    expect((await listModels(s)).status).toBe(200);
    expect((await postLoss(s)).status).not.toBe(401);
  });

  it('ignores a token a client sends anyway', async () => {
    expect((await listModels(s, 'whatever-token')).status).toBe(200);
  });
});

describe('admin token only', () => {
  let s: TestServer;
  beforeAll(async () => (s = await startTestServer({ env: { WEBML_ADMIN_TOKEN: ADMIN } })));
  afterAll(() => s.close({ remove: true }));

  it('an upload without a token answers 401 with WWW-Authenticate', async () => {
    await expectUnauthorized(await putModel(s, 'm1'));
  });

  it('an upload with a wrong token answers 403', async () => {
    await expectJsonError(await putModel(s, 'm1', `${ADMIN}x`), 403, /not valid/);
    await expectJsonError(await putModel(s, 'm1', 'short'), 403);
  });

  it('an upload with the admin token is accepted', async () => {
    expect((await putModel(s, 'm1', ADMIN)).status).toBe(307);
  });

  it('a chunked body refused for want of a token answers 401 and closes the connection (its body is unread)', async () => {
    const res = await rawRequest(s.url, {
      method: 'PUT',
      path: '/model/m1/session',
      headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
      body: Buffer.from(JSON.stringify({ shape: [1] })),
    });
    expect(res.status).toBe(401);
    expect(res.headers.connection).toBe('close');
    expect(JSON.parse(res.body).error.code).toBe('unauthorized');
  });

  it('worker routes stay open', async () => {
    expect((await listModels(s)).status).toBe(200);
    expect([401, 403]).not.toContain((await postLoss(s)).status);
  });
});

describe('admin and worker tokens', () => {
  let s: TestServer;
  beforeAll(async () => (s = await startTestServer({ env: { WEBML_ADMIN_TOKEN: ADMIN, WEBML_WORKER_TOKEN: WORKER } })));
  afterAll(() => s.close({ remove: true }));

  it('an upload: 401 without a token, 403 with a wrong or the worker token, 307 with the admin token', async () => {
    await expectUnauthorized(await putModel(s, 'm2'));
    await expectJsonError(await putModel(s, 'm2', 'not-the-token-at-all'), 403);
    await expectJsonError(await putModel(s, 'm2', WORKER), 403, /admin token/);
    expect((await putModel(s, 'm2', ADMIN)).status).toBe(307);
  });

  it('a read: 401 without a token, 403 with a wrong one, 200 with the worker or admin token', async () => {
    await expectUnauthorized(await listModels(s));
    await expectJsonError(await listModels(s, 'not-the-token-at-all'), 403);
    expect((await listModels(s, WORKER)).status).toBe(200);
    expect((await listModels(s, ADMIN)).status).toBe(200);
  });

  it('a worker write (loss): 401, 403, then past the check with either token', async () => {
    await expectUnauthorized(await postLoss(s));
    await expectJsonError(await postLoss(s, 'not-the-token-at-all'), 403);
    expect([401, 403]).not.toContain((await postLoss(s, WORKER)).status);
    expect([401, 403]).not.toContain((await postLoss(s, ADMIN)).status);
  });

  it('refuses a token sent another way than Bearer', async () => {
    const basic = await fetch(`${s.url}/models`, { headers: { Authorization: `Basic ${Buffer.from(`x:${WORKER}`).toString('base64')}` } });
    await expectUnauthorized(basic);
    const lower = await fetch(`${s.url}/models`, { headers: { Authorization: `bearer ${WORKER}` } });
    expect(lower.status).toBe(200);
  });

  it('/healthz, the pages, CORS preflight and signed blob URLs need no token', async () => {
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    // The browser pages (200, or 503 when the bundle is not built) are public too.
    for (const page of ['/', '/train/m/s']) expect([200, 503]).toContain((await fetch(`${s.url}${page}`)).status);
    const preflight = await fetch(`${s.url}/model/m3`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://volunteer.example', 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');

    const answer = await putModel(s, 'm3', ADMIN);
    expect(answer.status).toBe(307);
    const signed = answer.headers.get('location')!;
    expect((await fetch(signed, { method: 'PUT', body: '{"modelTopology":{}}' })).status).toBe(200);
    const download = await fetch(`${s.url}/model/m3`, { headers: bearer(WORKER), redirect: 'manual' });
    expect(download.status).toBe(307);
    const bytes = await fetch(download.headers.get('location')!);
    expect(await bytes.text()).toBe('{"modelTopology":{}}');
  });

  it('a 401 carries the CORS header, so a browser worker can read why', async () => {
    const res = await fetch(`${s.url}/models`, { headers: { Origin: 'https://volunteer.example' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('worker token only', () => {
  let s: TestServer;
  beforeAll(async () => (s = await startTestServer({ env: { WEBML_WORKER_TOKEN: WORKER } })));
  afterAll(() => s.close({ remove: true }));

  it('uploads need at least the worker token rather than stay open while reads are closed', async () => {
    await expectUnauthorized(await putModel(s, 'm4'));
    expect((await putModel(s, 'm4', WORKER)).status).toBe(307);
    await expectUnauthorized(await listModels(s));
    expect((await listModels(s, WORKER)).status).toBe(200);
  });

  it('names the worker token, the only one configured, in its 401 and 403 messages', async () => {
    await expectJsonError(await putModel(s, 'm5'), 401, /needs the worker token/);
    await expectJsonError(await putModel(s, 'm5', 'wrong-token-0123456789'), 403, /needs the worker token/);
  });
});
