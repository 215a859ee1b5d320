import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebStream } from 'node:stream/web';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { models } from '../db/schema/uploads.js';
import { loadSigningSecret, signBlobUrl } from '../app/storage/url-signing.js';
import { everyByte, expectJsonError, uploadThroughRedirect } from './helpers/object-routes.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close({ remove: true }));

const store = () => server.deps.store;
const modelRow = (id: string) => server.deps.db.select().from(models).where(eq(models.id, id)).get();
/** A pending index row, as `PUT /model/:id` records before handing out its URL. */
const expectUpload = (id: string) =>
  server.deps.db.insert(models).values({ id, name: id, expiresAt: Date.now() + 60_000 }).run();

/** Sends a request exactly as written (no URL normalisation by the client). */
function rawRequest(method: string, pathAndQuery: string, body?: string): Promise<{ status: number; text: string }> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: pathAndQuery }, (res) => {
      let text = '';
      res.setEncoding('latin1').on('data', (d) => (text += d)).on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject).end(body);
  });
}

describe('PUT /blobs/*', () => {
  it('stores the body exactly as sent, whatever its Content-Type, and marks the entry ready', async () => {
    expectUpload('exact');
    const body = everyByte();
    const res = await fetch(await store().presignPut('models/exact', 60), {
      method: 'PUT',
      headers: { 'Content-Type': 'multipart/form-data' },
      body: new Blob([body]),
    });
    expect(res.status, await res.text()).toBe(200);
    const etag = res.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    const got = await fetch(await store().presignGet('models/exact', 60));
    expect(Buffer.compare(Buffer.from(await got.arrayBuffer()), Buffer.from(body))).toBe(0);
    expect(modelRow('exact')).toMatchObject({ status: 'ready', size: body.length, etag, contentType: 'multipart/form-data' });
  });

  const refusedPuts: [string, (url: URL) => Promise<string>, RegExp][] = [
    ['a tampered signature', async (url) => {
      const sig = url.searchParams.get('signature')!;
      url.searchParams.set('signature', (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1));
      return url.href;
    }, /signature does not match/],
    ['a tampered expiry', async (url) => {
      url.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3600));
      return url.href;
    }, /signature does not match/],
    ['no signature', async (url) => `${url.origin}${url.pathname}`, /no signature/],
    ['an expired URL', async () =>
      signBlobUrl(loadSigningSecret(server.dataDir), server.url, 'PUT', 'models/refused', 60, Date.now() - 3_600_000), /expired/],
    ["another key's signature", async () => {
      const other = new URL(await store().presignPut('models/other', 60));
      return `${server.url}/blobs/models/refused${other.search}`;
    }, /signature does not match/],
    ['a GET signature', async () => store().presignGet('models/refused', 60), /signature does not match/],
  ];

  it.each(refusedPuts)('answers 403 to %s and writes nothing', async (_, makeUrl, message) => {
    if (!modelRow('refused')) expectUpload('refused');
    const url = await makeUrl(new URL(await store().presignPut('models/refused', 60)));
    await expectJsonError(await fetch(url, { method: 'PUT', body: 'should not be stored' }), 403, message);
    expect(await store().stat('models/refused')).toBeNull();
    expect(modelRow('refused')?.status).toBe('pending');
  });

  it('answers 409 when no index entry expects the upload, and keeps nothing', async () => {
    const res = await fetch(await store().presignPut('models/unexpected', 60), { method: 'PUT', body: 'bytes' });
    await expectJsonError(res, 409, /request a new upload URL/);
    expect(await store().stat('models/unexpected')).toBeNull();
  });

  it('stores nothing when the client hangs up mid-body', async () => {
    expectUpload('hangup');
    const url = new URL(await store().presignPut('models/hangup', 60));
    const req = http.request({ host: url.hostname, port: url.port, method: 'PUT', path: url.pathname + url.search, headers: { 'Content-Length': '1000000' } });
    req.on('error', () => {});
    req.write(Buffer.alloc(100_000, 1));
    await new Promise((r) => setTimeout(r, 100));
    req.destroy();
    await new Promise((r) => setTimeout(r, 200));
    expect(await store().stat('models/hangup')).toBeNull();
    expect(modelRow('hangup')?.status).toBe('pending');
    expect(readdirSync(path.join(server.dataDir, 'objects', '.incoming'))).toEqual([]);
    // The server keeps serving.
    expect((await fetch(await store().presignGet('models/exact', 60))).status).toBe(200);
  });
});

describe('GET and HEAD /blobs/*', () => {
  const content = Buffer.from('0123456789abcdefghij');
  let url: string;
  beforeAll(async () => {
    await store().write('models/ranged', content);
    url = await store().presignGet('models/ranged', 60);
  });

  it('sends the whole object with its length, ETag, Last-Modified and Accept-Ranges', async () => {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('20');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('etag')).toBe((await store().stat('models/ranged'))!.etag);
    expect(new Date(res.headers.get('last-modified')!).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(Buffer.from(await res.arrayBuffer()).equals(content)).toBe(true);
  });

  it.each([
    ['bytes=0-0', '0', 'bytes 0-0/20'],
    ['bytes=5-9', '56789', 'bytes 5-9/20'],
    ['bytes=15-', 'fghij', 'bytes 15-19/20'],
    ['bytes=-3', 'hij', 'bytes 17-19/20'],
    ['bytes=18-999', 'ij', 'bytes 18-19/20'],
  ])('answers Range %s with 206 and exactly those bytes', async (range, body, contentRange) => {
    const res = await fetch(url, { headers: { Range: range } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(contentRange);
    expect(res.headers.get('content-length')).toBe(String(body.length));
    expect(await res.text()).toBe(body);
  });

  it('lets a browser on another origin ask for a Range and read Content-Range', async () => {
    const origin = { Origin: 'https://volunteer.example' };
    const preflight = await fetch(url, { method: 'OPTIONS', headers: { ...origin, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'range' } });
    expect(preflight.headers.get('access-control-allow-headers')!.toLowerCase()).toContain('range');
    const res = await fetch(url, { headers: { ...origin, Range: 'bytes=0-3' } });
    expect(res.status).toBe(206);
    // Every header, Content-Range included (test/browser.test.ts reads one cross-origin in Chromium).
    expect(res.headers.get('access-control-expose-headers')).toBe('*');
    expect(await res.text()).toBe('0123');
  });

  it.each(['bytes=20-', 'bytes=100-200', 'bytes=-0'])('answers an unsatisfiable Range %s with 416', async (range) => {
    const res = await fetch(url, { headers: { Range: range } });
    expect(res.headers.get('content-range')).toBe('bytes */20');
    await expectJsonError(res, 416, /20 bytes/);
  });

  it.each(['bytes=0-1,5-6', 'items=0-3', 'bytes=9-2'])('ignores a Range it does not serve (%s) and sends everything', async (range) => {
    const res = await fetch(url, { headers: { Range: range } });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(content)).toBe(true);
  });

  it('serves an HTML upload sandboxed: it cannot run as a page of the API origin', async () => {
    const page = new TextEncoder().encode('<script>parent.stolen = localStorage</script>');
    await uploadThroughRedirect(`${server.url}/model/html`, { 'x-amz-meta-name': 'html' }, page, 'text/html');
    const download = await fetch(`${server.url}/model/html`);
    expect(download.headers.get('content-type')).toBe('text/html');
    expect(download.headers.get('content-security-policy')).toMatch(/\bsandbox\b/);
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(page);
  });

  it('answers HEAD with the same headers and no body', async () => {
    const res = await fetch(url, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('20');
    expect(res.headers.get('etag')).toBe((await fetch(url)).headers.get('etag'));
    expect(res.headers.get('last-modified')).toBeTruthy();
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect((await res.arrayBuffer()).byteLength).toBe(0);
    const ranged = await fetch(url, { method: 'HEAD', headers: { Range: 'bytes=2-5' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-length')).toBe('4');
  });

  it('answers 404 for a signed URL of a missing object, and 403 for a PUT signature', async () => {
    await expectJsonError(await fetch(await store().presignGet('models/missing', 60)), 404, /No object/);
    await expectJsonError(await fetch(await store().presignPut('models/ranged', 60)), 403);
  });
});

describe('keys that try to leave the objects folder', () => {
  /** Files of the data dir outside objects/ (the database's own files change, so only names count). */
  const filesOutsideObjects = () =>
    readdirSync(server.dataDir, { recursive: true, encoding: 'utf8' })
      .filter((f) => !f.startsWith('objects'))
      .sort();
  let outsideBefore: string[];
  beforeAll(() => {
    writeFileSync(path.join(server.dataDir, 'secret.txt'), 'TOP SECRET');
    outsideBefore = filesOutsideObjects();
  });

  it.each([
    '/blobs/..%2Fsecret.txt',
    '/blobs/..%2F..%2Fsecret.txt',
    '/blobs/models%2F..%2F..%2Fsecret.txt',
    '/blobs/models/..%2F..%2Fsecret.txt',
    '/blobs/%2e%2e/secret.txt',
    '/blobs/../secret.txt',
    '/blobs/..%5Csecret.txt',
    '/blobs/%2Fetc%2Fpasswd',
    '/blobs/models/a%00b',
    '/blobs/models//x',
    '/blobs/%E0%A4%A',
  ])('never serves %s, even with a valid signature for the decoded key', async (rawPath) => {
    let key: string;
    try {
      key = decodeURIComponent(rawPath.slice('/blobs/'.length));
    } catch {
      key = 'undecodable';
    }
    // Signed with the real secret, so only the key check stands between the URL and the file.
    const signed = new URL(signBlobUrl(loadSigningSecret(server.dataDir), server.url, 'GET', key, 60));
    const res = await rawRequest('GET', `${rawPath}${signed.search}`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.text).not.toContain('TOP SECRET');
    const put = new URL(signBlobUrl(loadSigningSecret(server.dataDir), server.url, 'PUT', key, 60));
    const written = await rawRequest('PUT', `${rawPath}${put.search}`, 'overwritten?');
    expect(written.status).toBeGreaterThanOrEqual(400);
    expect(written.status).toBeLessThan(500);
  });

  it('left every file outside the objects folder as it was', () => {
    expect(readFileSync(path.join(server.dataDir, 'secret.txt'), 'utf8')).toBe('TOP SECRET');
    expect(filesOutsideObjects()).toEqual(outsideBefore);
  });
});

describe('a 64 MiB upload through the redirect', () => {
  const total = 64 * 1024 * 1024;

  /** 64 MiB made on the fly, 1 MiB at a time, hashed as it goes: never one big buffer. */
  function generatedBody() {
    const hash = createHash('sha256');
    let made = 0;
    const stream = new Readable({
      read() {
        if (made >= total) return this.push(null);
        const piece = Buffer.alloc(1 << 20, made / (1 << 20));
        piece.writeUInt32BE(made, 0);
        made += piece.length;
        hash.update(piece);
        this.push(piece);
      },
    });
    return { stream, digest: () => hash.digest('hex') };
  }

  it('streams into the embedded store and reads back with the same SHA-256', async () => {
    const answer = await fetch(`${server.url}/model/big`, { method: 'PUT', headers: { 'x-amz-meta-name': 'big' }, redirect: 'manual' });
    expect(answer.status, await answer.clone().text()).toBe(307);
    const target = new URL(answer.headers.get('location')!);
    const body = generatedBody();
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: target.hostname, port: target.port, method: 'PUT', path: target.pathname + target.search, headers: { 'Content-Type': 'application/octet-stream' } },
        (res) => res.resume().on('end', () => resolve(res.statusCode!)),
      );
      req.on('error', reject);
      body.stream.pipe(req);
    });
    expect(status).toBe(200);
    const sent = body.digest();

    const download = await fetch(`${server.url}/model/big`);
    expect(download.status).toBe(200);
    const back = createHash('sha256');
    let size = 0;
    for await (const chunk of Readable.fromWeb(download.body! as NodeWebStream<Uint8Array>)) {
      back.update(chunk);
      size += chunk.length;
    }
    expect(size).toBe(total);
    expect(back.digest('hex')).toBe(sent);
  });
});

describe('/blobs/* when objects live in MinIO', () => {
  it('answers 404 with a JSON error', async () => {
    const minio = await startTestServer({ storage: 'minio' });
    try {
      await expectJsonError(await fetch(`${minio.url}/blobs/models/x?expires=1&signature=00`), 404, /MinIO/);
    } finally {
      await minio.close({ remove: true });
    }
  });
});
