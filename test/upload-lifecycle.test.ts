import { readdirSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../app/config.js';
import { openDeps } from '../app/deps.js';
import { startS3rver, type RunningS3rver } from './helpers/s3rver.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import {
  downloadThroughRedirect,
  everyByte,
  expectJsonError,
  getJson,
  uploadThroughRedirect,
} from './helpers/object-routes.js';

const put = (url: string, headers: Record<string, string>) => fetch(url, { method: 'PUT', headers, redirect: 'manual' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
function headerMap(res: Response): Record<string, string> {
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => (headers[name] = value));
  return headers;
}
const dataMeta = { 'x-amz-meta-shape': '[2,2]', 'x-amz-meta-parser': 'p' };

describe.each(['embedded', 'minio'] as const)('upload life cycle (%s store)', (storage) => {
  // 3 s: the embedded store signs whole seconds, so a URL lives at least 2 s even on a busy machine.
  describe('with 3-second upload URLs', () => {
    let server: TestServer;
    let base: string;
    beforeAll(async () => {
      // MinIO waits this long past expiry for an upload that may still be arriving.
      server = await startTestServer({ storage, env: { URL_EXPIRY_SECONDS: '3', MINIO_UPLOAD_GRACE_SECONDS: '1' } });
      base = server.url;
      await uploadThroughRedirect(`${base}/model/m`, { 'x-amz-meta-name': 'm' }, everyByte());
      await uploadThroughRedirect(`${base}/parser/p`, { 'x-amz-meta-name': 'p' }, everyByte());
    });
    afterAll(() => server?.close({ remove: true }));

    it('drops a pending upload whose URL expired without an object (the id is free again), keeps one whose object arrived', async () => {
      const bytes = everyByte();
      const pending = [await put(`${base}/model/retry`, { 'x-amz-meta-name': 'first' }), await put(`${base}/model/m/data/retry`, dataMeta)];
      expect(pending.map((res) => res.status)).toEqual([307, 307]);
      const late = await uploadThroughRedirect(`${base}/model/m/labels/late`, dataMeta, bytes);
      await expectJsonError(await put(`${base}/model/retry`, { 'x-amz-meta-name': 'second' }), 409, /in progress/);
      await expectJsonError(await put(`${base}/model/m/data/retry`, dataMeta), 409, /in progress/);
      const expiries = [...(await Promise.all(pending.map((res) => res.json()))), late].map((a) => Date.parse(a.expiresAt));
      const graceMs = storage === 'minio' ? 1000 : 0;
      await sleep(Math.max(...expiries) + graceMs - Date.now() + 100);

      expect(await getJson<string[]>(`${base}/models`)).not.toContain('retry');
      expect(await getJson<string[]>(`${base}/model/m/data`)).not.toContain('retry');
      await uploadThroughRedirect(`${base}/model/retry`, { 'x-amz-meta-name': 'second' }, bytes);
      await uploadThroughRedirect(`${base}/model/m/data/retry`, dataMeta, bytes);
      expect(await downloadThroughRedirect(`${base}/model/retry`)).toEqual(bytes);
      expect(await downloadThroughRedirect(`${base}/model/m/data/retry`)).toEqual(bytes);
      expect(headerMap(await fetch(`${base}/model/retry`, { method: 'HEAD' }))['x-amz-meta-name']).toBe('second');

      // Its URL expired too, but its object had arrived: first read after expiry keeps it.
      expect(await getJson<string[]>(`${base}/model/m/labels`)).toContain('late');
      expect(await downloadThroughRedirect(`${base}/model/m/labels/late`)).toEqual(bytes);
    });
  });

  it('keeps every object and its metadata across a restart on the same DATA_DIR', async () => {
    const first = await startTestServer({ storage });
    const dataDir = first.dataDir;
    const bytes = everyByte();
    const uploads = [
      ['/model/kept', { 'x-amz-meta-name': 'Kept model' }],
      ['/parser/kept-parser', { 'x-amz-meta-name': 'Kept parser' }],
      ['/model/kept/data/d1', { 'x-amz-meta-shape': '[28,28]', 'x-amz-meta-parser': 'kept-parser' }],
      ['/model/kept/labels/d1', { 'x-amz-meta-shape': '[1]', 'x-amz-meta-parser': 'kept-parser' }],
    ] as const;
    const heads: Record<string, string>[] = [];
    let parsers: string[] = [];
    try {
      for (const [route, headers] of uploads) await uploadThroughRedirect(`${first.url}${route}`, headers, bytes, 'application/x-test');
      parsers = await getJson<string[]>(`${first.url}/parsers`);
      expect(parsers).toContain('kept-parser');
      for (const [route] of uploads) heads.push(headerMap(await fetch(`${first.url}${route}`, { method: 'HEAD' })));
    } finally {
      await first.close();
    }

    const second = await startTestServer({ storage, dataDir });
    try {
      expect(await getJson<string[]>(`${second.url}/models`)).toEqual(['kept']);
      expect(await getJson<string[]>(`${second.url}/parsers`)).toEqual(parsers);
      expect(await getJson<string[]>(`${second.url}/model/kept/data`)).toEqual(['d1']);
      expect(await getJson<string[]>(`${second.url}/model/kept/labels`)).toEqual(['d1']);
      for (const [i, [route]] of uploads.entries()) {
        expect(await downloadThroughRedirect(`${second.url}${route}`)).toEqual(bytes);
        const head = headerMap(await fetch(`${second.url}${route}`, { method: 'HEAD' }));
        for (const name of ['x-amz-meta-name', 'x-amz-meta-shape', 'x-amz-meta-parser', 'content-length', 'content-type', 'etag', 'last-modified']) {
          expect(head[name], `${route} ${name}`).toBe(heads[i][name]);
        }
      }
    } finally {
      await second.close({ remove: true });
    }
  });
});

describe('MinIO endpoint unreachable', () => {
  let minio: RunningS3rver;
  let server: TestServer;
  let base: string;
  beforeAll(async () => {
    // The test server's own s3rver is replaced by one this test can stop.
    server = await startTestServer({ storage: 'minio' });
    minio = await startS3rver(path.join(server.dataDir, 'stoppable'));
    await server.close();
    server = await startTestServer({ storage: 'minio', dataDir: server.dataDir, env: { MINIO_PORT: String(minio.port) } });
    base = server.url;
    await uploadThroughRedirect(`${base}/model/stored`, { 'x-amz-meta-name': 'stored' }, everyByte());
    await uploadThroughRedirect(`${base}/parser/p`, { 'x-amz-meta-name': 'p' }, everyByte());
    // Read once while MinIO answers, so the index knows these objects are stored.
    expect(await getJson<string[]>(`${base}/models`)).toEqual(['stored']);
    expect(await getJson<string[]>(`${base}/parsers`)).toContain('p');
    // Uploads handed out but not confirmed: only MinIO can tell whether their bytes arrived.
    expect((await put(`${base}/model/waiting`, { 'x-amz-meta-name': 'waiting' })).status).toBe(307);
    expect((await put(`${base}/parser/waiting`, { 'x-amz-meta-name': 'waiting' })).status).toBe(307);
    expect((await put(`${base}/model/stored/data/waiting`, dataMeta)).status).toBe(307);
    await minio.close();
  });
  afterAll(() => server?.close({ remove: true }));

  it.each([
    ['GET', '/models'],
    ['GET', '/model/waiting'],
    ['PUT', '/model/waiting'],
    ['GET', '/parsers'],
    ['GET', '/parser/waiting'],
    ['PUT', '/parser/waiting'],
    ['GET', '/model/stored/data'],
    ['GET', '/model/stored/data/waiting'],
    ['PUT', '/model/stored/data/waiting'],
  ])('%s %s answers 500 with a JSON error when it must ask the store', async (method, route) => {
    const headers = { 'x-amz-meta-name': 'again', ...dataMeta };
    await expectJsonError(await fetch(`${base}${route}`, { method, headers, redirect: 'manual' }), 500, /object store/);
  });

  it('answers HEAD of an unconfirmed upload with a bare 500, and keeps serving what the index alone answers', async () => {
    expect((await fetch(`${base}/model/waiting`, { method: 'HEAD' })).status).toBe(500);
    expect((await fetch(`${base}/parser/waiting`, { method: 'HEAD' })).status).toBe(500);
    const head = await fetch(`${base}/model/stored`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('x-amz-meta-name')).toBe('stored');
    expect(await getJson<string[]>(`${base}/model/stored/labels`)).toEqual([]);
    await expectJsonError(await fetch(`${base}/model/nope`, { redirect: 'manual' }), 404);
    await expectJsonError(await fetch(`${base}/models`), 500, /object store/);
  });

  it('refuses to start (rather than hang) when MinIO cannot be reached at start-up', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const config = loadConfig({ DATA_DIR: path.join(server.dataDir, 'unreachable'), STORAGE: 'minio', MINIO_ENDPOINT: '127.0.0.1', MINIO_PORT: String(closedPort) });
    await expect(openDeps(config)).rejects.toThrow(/MinIO/);
    // Nothing it opened before failing stays open (the database file above all).
    const held = readdirSync('/proc/self/fd').flatMap((fd) => {
      try {
        return [readlinkSync(`/proc/self/fd/${fd}`)];
      } catch {
        return [];
      }
    });
    expect(held.filter((file) => file.startsWith(config.DATA_DIR))).toEqual([]);
  });
});

describe('an embedded upload that outlives its URL', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { URL_EXPIRY_SECONDS: '2' } });
  });
  afterAll(() => server?.close({ remove: true }));

  it('is kept when a listing runs after the URL expired but before the body ended', async () => {
    const signed = await put(`${server.url}/parser/slow`, { 'x-amz-meta-name': 'slow' });
    expect(signed.status).toBe(307);
    const { url, expiresAt } = await signed.json();
    let finish!: () => void;
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(new TextEncoder().encode('function parse(chunk, n) '));
        await new Promise<void>((resolve) => (finish = resolve));
        controller.enqueue(new TextEncoder().encode('return {} end'));
        controller.close();
      },
    });
    // The URL is valid when the PUT starts, as S3 checks it.
    const response = fetch(url, { method: 'PUT', body, duplex: 'half' } as RequestInit);
    await sleep(Date.parse(expiresAt) - Date.now() + 200);
    // A listing settles pending entries: the one still receiving its body must not be dropped.
    expect(await getJson<string[]>(`${server.url}/parsers`)).not.toContain('slow');
    // Its URL's expiry has passed, so the messages do not promise the id back by then.
    await expectJsonError(await put(`${server.url}/parser/slow`, { 'x-amz-meta-name': 'again' }), 409, /still arriving.*free again if that upload fails/);
    await expectJsonError(await fetch(`${server.url}/parser/slow`, { redirect: 'manual' }), 404, /still arriving/);
    finish();
    expect((await response).status).toBe(200);
    expect(await getJson<string[]>(`${server.url}/parsers`)).toContain('slow');
  });
});

describe('a MinIO upload that outlives its URL', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ storage: 'minio', env: { URL_EXPIRY_SECONDS: '2' } });
  });
  afterAll(() => server?.close({ remove: true }));

  it('is waited for MINIO_UPLOAD_GRACE_SECONDS: a listing after expiry keeps the entry, and the late object makes it ready', async () => {
    const signed = await put(`${server.url}/parser/late`, { 'x-amz-meta-name': 'late' });
    expect(signed.status).toBe(307);
    const { expiresAt } = await signed.json();
    await sleep(Date.parse(expiresAt) - Date.now() + 200);
    // MinIO checked the URL when the upload started; the server cannot see it in progress,
    // so the entry holds the id for the grace (an hour by default) and says until when.
    expect(await getJson<string[]>(`${server.url}/parsers`)).not.toContain('late');
    const heldUntil = new Date(Date.parse(expiresAt) + 3600 * 1000).toISOString().slice(0, 16);
    const conflict = await put(`${server.url}/parser/late`, { 'x-amz-meta-name': 'again' });
    expect(conflict.status).toBe(409);
    expect((await conflict.json()).error.message).toContain(`in progress until ${heldUntil}`);
    await expectJsonError(await fetch(`${server.url}/parser/late`, { redirect: 'manual' }), 404, /in progress until/);
    // The upload lands in MinIO after its URL expired, as a large one started in time does.
    const bytes = new TextEncoder().encode('function parse(chunk, n) return {} end');
    await server.deps.store.write('parsers/late', bytes);
    expect(await getJson<string[]>(`${server.url}/parsers`)).toContain('late');
    expect(await downloadThroughRedirect(`${server.url}/parser/late`)).toEqual(bytes);
  });
});
