import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel, createSession } from './helpers/sessions.js';
import { startTestServer, type TestServer } from './helpers/server.js';

interface ContinueResult {
  status: number;
  /** Whether the server sent `100 Continue` before its answer. */
  continued: boolean;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * Sends a request with `Expect: 100-continue` the way curl does: the body only once the
 * server says 100; an early final answer means the body is never sent.
 */
function expectContinue(base: string, method: string, target: string, headers: Record<string, string>, body: Buffer): Promise<ContinueResult> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    let continued = false;
    const req = http.request({
      hostname,
      port,
      method,
      path: target,
      headers: { ...headers, Expect: '100-continue', 'Content-Length': String(body.length) },
      // Keep-alive, so the server's choice to close the connection shows.
      agent: new http.Agent({ keepAlive: true }),
      timeout: 10_000,
    });
    req.on('continue', () => {
      continued = true;
      req.end(body);
    });
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, continued, headers: res.headers, body: Buffer.concat(parts).toString() });
        req.destroy();
      });
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
  });
}

describe('Expect: 100-continue', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    await createModel(server.url, 'm');
  });
  afterAll(() => server?.close({ remove: true }));

  it('upload routes answer 307 without a 100, so the client never sends the body to the app', async () => {
    const res = await expectContinue(server.url, 'PUT', '/model/early', { 'x-amz-meta-name': 'early' }, Buffer.alloc(4096, 1));
    expect(res.status).toBe(307);
    expect(res.continued).toBe(false);
    expect(res.headers.location).toMatch(/\/blobs\/models\/early\?/);
    // The client may still send the body it announced: the connection is not reused.
    expect(res.headers.connection).toBe('close');
  });

  it('every upload route answers (even with an error) without a 100', async () => {
    const meta = { 'x-amz-meta-name': 'n', 'x-amz-meta-shape': '[1]', 'x-amz-meta-parser': 'csv' };
    const routes = ['/parser', '/parser/p', '/model/m/data', '/model/m/data/d', '/model/m/labels', '/model/m/labels/l', '/model/missing/data/d'];
    for (const route of routes) {
      const res = await expectContinue(server.url, 'PUT', `${route}?any=query`, meta, Buffer.alloc(16));
      expect(res.continued, route).toBe(false);
      expect(res.status, route).toBe(route.includes('missing') ? 404 : 307);
    }
    const invalid = await expectContinue(server.url, 'PUT', '/model/no-name', {}, Buffer.alloc(16));
    expect([invalid.status, invalid.continued]).toEqual([400, false]);
  });

  it('a signed /blobs PUT gets 100 Continue and stores the body', async () => {
    const grant = await fetch(`${server.url}/model/via-blobs`, { method: 'PUT', headers: { 'x-amz-meta-name': 'b' }, redirect: 'manual' });
    const location = new URL(grant.headers.get('location')!);
    const body = Buffer.from('model bytes');
    const res = await expectContinue(server.url, 'PUT', location.pathname + location.search, {}, body);
    expect([res.status, res.continued]).toEqual([200, true]);
    const stored = await fetch(`${server.url}/model/via-blobs`);
    expect(Buffer.from(await stored.arrayBuffer())).toEqual(body);
  });

  it('session routes that read their body get 100 Continue and work', async () => {
    const created = await expectContinue(server.url, 'PUT', '/model/m/session', { 'Content-Type': 'application/json' }, Buffer.from('{"id":"s","shape":[2]}'));
    expect([created.status, created.continued]).toEqual([200, true]);
    await createSession(server.url, 'm', { id: 'w', shape: [2], alpha: 0 });
    const weights = Buffer.from(JSON.stringify({ shape: [2], data: [4, 5] }));
    const res = await expectContinue(server.url, 'POST', '/model/m/session/w/weights', { 'Content-Type': 'application/json' }, weights);
    expect([res.status, res.continued]).toEqual([200, true]);
    expect(JSON.parse(res.body)).toEqual({ version: 1 });
  });
});

const hasCurl = await promisify(execFile)('curl', ['--version']).then(
  () => true,
  () => false,
);

describe.skipIf(!hasCurl).each(['embedded', 'minio'] as const)('curl -L -T of 5 MiB (%s store)', (storage) => {
  let server: TestServer;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    server = await startTestServer({ storage });
    server.http.on('connection', (socket) => sockets.push(socket));
  });
  afterAll(() => server?.close({ remove: true }));

  it('sends the file once: to the store, never to the upload route', async () => {
    const size = 5 * 1024 * 1024;
    const file = path.join(server.dataDir, 'five-mib.bin');
    const bytes = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4096) bytes[i] = (i / 4096) % 251;
    writeFileSync(file, bytes);
    const { stdout } = await promisify(execFile)('curl', [
      '-sS', '-L', '-T', file, '-H', 'x-amz-meta-name: Five MiB', '-o', '/dev/null', '-w', '%{http_code} %{size_upload}', `${server.url}/model/five`,
    ]);
    expect(stdout).toBe(`200 ${size}`);
    // Everything the app read off the wire: request heads, plus the body itself only when the app is the store.
    const appRead = sockets.reduce((total, socket) => total + socket.bytesRead, 0);
    expect(appRead).toBeLessThan((storage === 'embedded' ? size : 0) + 64 * 1024);
    const stored = await fetch(`${server.url}/model/five`);
    expect(Buffer.compare(Buffer.from(await stored.arrayBuffer()), bytes)).toBe(0);
  });
});
