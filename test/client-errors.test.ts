import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, WebMLError } from '../app/client/index.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { failure } from './helpers/client-failure.js';

describe('bearer tokens', () => {
  const admin = 'admin-token-0123456789';
  const worker = 'worker-token-0123456789';
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { WEBML_ADMIN_TOKEN: admin, WEBML_WORKER_TOKEN: worker } });
  });
  afterAll(() => server.close({ remove: true }));

  it('no token is a 401 and a wrong token a 403, each with the server message', async () => {
    const missing = await failure(() => createClient(server.url).models.list());
    expect(missing).toMatchObject({ status: 401, code: 'unauthorized' });
    expect(missing.message).toContain('Authorization: Bearer');
    const wrong = await failure(() => createClient({ server: server.url, token: 'not-the-token-at-all' }).models.list());
    expect(wrong).toMatchObject({ status: 403, code: 'forbidden' });
  });

  it('the admin token uploads (the signed URL needs no token); the worker token reads and trains but cannot upload', async () => {
    const adminClient = createClient({ server: server.url, token: admin });
    await adminClient.models.upload('m', '{"a":1}', { name: 'm' });
    const { id } = await adminClient.sessions.create('m', { shape: [1] });
    const workerClient = createClient({ server: server.url, token: worker });
    expect(await workerClient.models.getJson('m')).toEqual({ a: 1 });
    expect(await workerClient.sessions.postWeights('m', id, Float32Array.of(1))).toEqual({ version: 1 });
    expect(await failure(() => workerClient.models.upload('m2', '{}', { name: 'm2' }))).toMatchObject({ status: 403 });
  });
});

describe('server and network failures', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close({ remove: true }));

  it('a failing database is a 500 with the server code and no internals; it counts as retryable', async () => {
    const broken = await startTestServer();
    try {
      // The table every model route reads is gone: each query fails inside SQLite.
      broken.deps.db.$client.exec('ALTER TABLE models RENAME TO models_gone');
      const error = await failure(() => createClient(broken.url).models.list());
      expect(error).toMatchObject({ status: 500, retryable: true });
      expect(error.code).toBe('database_error');
      expect(error.message).not.toContain('models');
    } finally {
      await broken.close({ remove: true });
    }
  });

  it('an unreachable server is status 0 network_error naming the URL and the cause', async () => {
    const closed = await startTestServer();
    const url = closed.url;
    await closed.close({ remove: true });
    const error = await failure(() => createClient(url).models.list());
    expect(error).toMatchObject({ status: 0, code: 'network_error', retryable: true });
    expect(error.message).toBe(`Cannot reach ${url}/models: connection refused`);
  });

  it('a non-JSON error page (a proxy) keeps its status and text', async () => {
    const proxy = http.createServer((_, res) => res.writeHead(502, { 'Content-Type': 'text/html' }).end('<h1>Bad Gateway</h1>'));
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = proxy.address() as AddressInfo;
      const error = await failure(() => createClient(`http://127.0.0.1:${port}`).parsers.list());
      expect(error).toMatchObject({ status: 502, code: 'http_502', message: '<h1>Bad Gateway</h1>', retryable: true });
    } finally {
      proxy.close();
    }
  });

  it('an aborted call rejects with the AbortError itself, not a WebMLError', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await createClient(server.url).models.list({ signal: controller.signal }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(WebMLError);
    expect((error as Error).name).toBe('AbortError');
  });
});
