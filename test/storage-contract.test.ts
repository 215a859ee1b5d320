import { createHash } from 'node:crypto';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { models } from '../db/schema/uploads.js';
import { loadConfig } from '../app/config.js';
import { BackendError } from '../app/errors.js';
import { markUploadReady } from '../app/repos/upload-state.js';
import { createMinioStore } from '../app/storage/minio.js';
import type { ObjectStore } from '../app/storage/object-store.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/** Every byte value, several times over, so any re-encoding of the body shows. */
const allBytes = () => Uint8Array.from({ length: 256 * 5 }, (_, i) => (i * 7) % 256);

async function readAll(stream: Readable | null): Promise<Buffer> {
  if (!stream) throw new Error('expected an object, got null');
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function listAll(store: ObjectStore, prefix: string): Promise<string[]> {
  const found: string[] = [];
  for await (const key of store.list(prefix)) found.push(key);
  return found.sort();
}

/** A stream of `total` pseudo-random bytes made on the fly, plus the SHA-256 it will have. */
function generated(total: number, chunk = 1 << 20): { stream: Readable; sha256: string } {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  for (let sent = 0, seed = 1; sent < total; sent += chunk, seed++) {
    const piece = Buffer.alloc(Math.min(chunk, total - sent), seed % 251);
    piece[0] = seed & 0xff;
    hash.update(piece);
    chunks.push(piece);
  }
  return { stream: Readable.from(chunks), sha256: hash.digest('hex') };
}

describe.each(['embedded', 'minio'] as const)('ObjectStore contract: %s', (storage) => {
  let server: TestServer;
  let store: ObjectStore;
  beforeAll(async () => {
    server = await startTestServer({ storage });
    store = server.deps.store;
  });
  afterAll(() => server?.close({ remove: true }));

  it('writes bytes and reads them back exactly, with matching stat', async () => {
    const body = allBytes();
    const written = await store.write('models/bytes', body);
    expect(written.size).toBe(body.length);
    expect(written.etag).toMatch(/^".+"$/);
    expect(Buffer.compare(await readAll(await store.read('models/bytes')), Buffer.from(body))).toBe(0);
    const stat = await store.stat('models/bytes');
    expect(stat).toEqual(written);
    expect(stat!.lastModified.getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('writes a stream of many chunks', async () => {
    const chunks = [Buffer.from([0, 1, 2]), Buffer.from(allBytes()), Buffer.alloc(0), Buffer.from([255])];
    const info = await store.write('data/m1/stream', Readable.from(chunks));
    expect(info.size).toBe(3 + 1280 + 1);
    expect(Buffer.compare(await readAll(await store.read('data/m1/stream')), Buffer.concat(chunks))).toBe(0);
  });

  it('stores an empty object', async () => {
    expect((await store.write('models/empty', Readable.from([]))).size).toBe(0);
    expect((await readAll(await store.read('models/empty'))).length).toBe(0);
  });

  it('writes several objects at once (new folders, a replaced object), each readable and listed', async () => {
    await store.write('batches/mw/b0/data', Buffer.from('old'));
    const objects = Array.from({ length: 40 }, (_, i) => ({
      key: `batches/mw/b${i >> 1}/${i % 2 ? 'labels' : 'data'}`,
      body: Uint8Array.from({ length: 100 + i }, (_, j) => (i * 31 + j) & 255),
    }));
    const etags = await store.writeAll(objects);
    expect(etags).toHaveLength(objects.length);
    for (const [i, { key, body }] of objects.entries()) {
      expect(Buffer.compare(await readAll(await store.read(key)), Buffer.from(body)), key).toBe(0);
      const info = await store.stat(key);
      expect(info?.size, key).toBe(body.length);
      // The ETag each write reports is the one the store keeps for the object.
      expect(etags[i].replace(/"/g, ''), key).toBe(info?.etag.replace(/"/g, ''));
    }
    expect(await listAll(store, 'batches/mw/')).toEqual(objects.map((o) => o.key).sort());
    expect(await store.writeAll([])).toEqual([]);
  });

  it('writes none of a set holding a key that could escape the store (400)', async () => {
    const objects = [
      { key: 'batches/mx/ok/data', body: Buffer.from('a') },
      { key: 'batches/mx/../../escape', body: Buffer.from('b') },
    ];
    await expect(store.writeAll(objects)).rejects.toMatchObject({ status: 400 });
    expect(await store.stat('batches/mx/ok/data')).toBeNull();
  });

  it('reads an inclusive byte range', async () => {
    await store.write('models/range', Buffer.from('0123456789'));
    expect((await readAll(await store.read('models/range', { start: 2, end: 5 }))).toString()).toBe('2345');
    expect((await readAll(await store.read('models/range', { start: 9, end: 9 }))).toString()).toBe('9');
  });

  it('answers null for a missing key', async () => {
    expect(await store.stat('models/never-written')).toBeNull();
    expect(await store.read('models/never-written')).toBeNull();
    expect(await store.read('data/nowhere/at-all')).toBeNull();
  });

  it('removes objects, ignoring keys that do not exist', async () => {
    await store.write('parsers/gone-1', Buffer.from('a'));
    await store.write('parsers/gone-2', Buffer.from('b'));
    await store.remove(['parsers/gone-1', 'parsers/gone-2', 'parsers/never-was']);
    expect(await store.stat('parsers/gone-1')).toBeNull();
    expect(await store.stat('parsers/gone-2')).toBeNull();
  });

  it('lists the keys under a prefix and nothing else', async () => {
    await store.write('labels/m2/a', Buffer.from('a'));
    await store.write('labels/m2/b', Buffer.from('b'));
    await store.write('labels/m20/c', Buffer.from('c'));
    await store.write('batches/m2/b1/data', Buffer.from('d'));
    expect(await listAll(store, 'labels/m2/')).toEqual(['labels/m2/a', 'labels/m2/b']);
    expect(await listAll(store, 'labels/m2')).toEqual(['labels/m2/a', 'labels/m2/b', 'labels/m20/c']);
    expect(await listAll(store, 'batches/m2/')).toEqual(['batches/m2/b1/data']);
    expect(await listAll(store, 'nothing-here/')).toEqual([]);
  });

  it('replaces an object atomically: readers see the old bytes until the new ones are complete', async () => {
    await store.write('models/atomic', Buffer.from('old contents'));
    const body = new Readable({ read() {} });
    const writing = store.write('models/atomic', body);
    body.push(Buffer.from('new, half'));
    await new Promise((r) => setTimeout(r, 50));
    expect((await readAll(await store.read('models/atomic'))).toString()).toBe('old contents');
    body.push(Buffer.from(' and the rest'));
    body.push(null);
    await writing;
    expect((await readAll(await store.read('models/atomic'))).toString()).toBe('new, half and the rest');
  });

  it('keeps the old object when the body fails mid-write', async () => {
    await store.write('models/failing', Buffer.from('intact'));
    const body = new Readable({ read() {} });
    const writing = store.write('models/failing', body);
    body.push(Buffer.from('partial'));
    setTimeout(() => body.destroy(new Error('client hung up')), 20);
    await expect(writing).rejects.toThrow('client hung up');
    expect((await readAll(await store.read('models/failing'))).toString()).toBe('intact');
  });

  it('streams a write larger than one multipart part, byte-exact', async () => {
    const { stream, sha256 } = generated(17 * 1024 * 1024 + 123);
    const info = await store.write('data/m3/large', stream);
    expect(info.size).toBe(17 * 1024 * 1024 + 123);
    const back = createHash('sha256');
    for await (const chunk of (await store.read('data/m3/large'))!) back.update(chunk);
    expect(back.digest('hex')).toBe(sha256);
  });

  it('rejects keys that could escape the store with a 400', async () => {
    for (const key of ['../outside', 'models/../../x', '/etc/passwd', 'models//x', 'models\\x', 'models/a\u0000b', '', 'models/.hidden']) {
      await expect(store.write(key, Buffer.from('x')), key).rejects.toMatchObject({ status: 400 });
      await expect(store.presignGet(key, 60), key).rejects.toMatchObject({ status: 400 });
    }
  });

  it('serves a presigned PUT and then a presigned GET byte-exact over HTTP', async () => {
    // The embedded store only accepts uploads its index expects.
    server.deps.db.insert(models).values({ id: 'presigned', name: 'contract', expiresAt: Date.now() + 60_000 }).run();
    const body = allBytes();
    const put = await fetch(await store.presignPut('models/presigned', 60), { method: 'PUT', body: new Blob([body]) });
    expect(put.status).toBe(200);
    const get = await fetch(await store.presignGet('models/presigned', 60));
    expect(get.status).toBe(200);
    expect(Buffer.compare(Buffer.from(await get.arrayBuffer()), Buffer.from(body))).toBe(0);
    expect((await store.stat('models/presigned'))?.size).toBe(body.length);
  });

  it('accepts a presigned PUT carrying the metadata headers it was signed for', async () => {
    server.deps.db.insert(models).values({ id: 'with-meta', name: 'contract', expiresAt: Date.now() + 60_000 }).run();
    const meta = { 'x-amz-meta-name': 'Iris  classifier' };
    const url = await store.presignPut('models/with-meta', 60, meta);
    if (storage === 'minio') expect(new URL(url).searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-amz-meta-name');
    const put = await fetch(url, { method: 'PUT', headers: meta, body: new Blob(['four']) });
    expect(put.status).toBe(200);
    expect((await store.stat('models/with-meta'))?.size).toBe(4);
  });
});

describe('MinIO adapter against an unreachable endpoint', () => {
  let silent: Server;
  let silentPort: number;
  beforeAll(async () => {
    // Reads requests and never answers: the hang a blackholed endpoint causes.
    silent = createServer((socket) => socket.resume());
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    silentPort = (silent.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => silent.close(() => r())));

  const storeAt = (port: number, timeoutMs?: number) =>
    createMinioStore(loadConfig({ STORAGE: 'minio', MINIO_ENDPOINT: '127.0.0.1', MINIO_PORT: String(port) }), { timeoutMs });

  it('presigns without contacting the store, on the configured endpoint', async () => {
    const url = new URL(await storeAt(1).presignGet('models/x', 60));
    expect(url.host).toBe('127.0.0.1:1');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
  });

  it('fails init with a store error when nothing listens', async () => {
    const started = Date.now();
    await expect(storeAt(1).init()).rejects.toBeInstanceOf(BackendError);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('gives up on a store that never answers after its deadline', async () => {
    const store = storeAt(silentPort, 300);
    const started = Date.now();
    const failure = await store.stat('models/x').catch((err) => err);
    expect(failure).toBeInstanceOf(BackendError);
    expect((failure as BackendError).backend).toBe('store');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('embedded store on disk', () => {
  it('keeps its URL-signing secret (mode 0600) across restarts, so signed links stay valid', async () => {
    const first = await startTestServer();
    const url = await first.deps.store.presignGet('models/kept', 600);
    // An index row, or the start-up sweep would remove the object as an orphan.
    first.deps.db.insert(models).values({ id: 'kept', name: 'kept', expiresAt: Date.now() + 600_000 }).run();
    markUploadReady(first.deps.db, 'models/kept', await first.deps.store.write('models/kept', Buffer.from('still here')));
    await first.close();
    const secretFile = path.join(first.dataDir, 'url-signing.key');
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    const second = await startTestServer({ dataDir: first.dataDir });
    try {
      // Same data dir, new port: the old link's path and query on the new server.
      const { pathname, search } = new URL(url);
      const res = await fetch(`${second.url}${pathname}${search}`);
      expect(await res.text()).toBe('still here');
      expect(res.status).toBe(200);
    } finally {
      await second.close({ remove: true });
    }
  });

  it('drops temp files a crash left behind and never lists them', async () => {
    const server = await startTestServer();
    const incoming = path.join(server.dataDir, 'objects', '.incoming');
    writeFileSync(path.join(incoming, 'half-written'), 'partial');
    await server.close();
    const again = await startTestServer({ dataDir: server.dataDir });
    try {
      expect(readdirSync(incoming)).toEqual([]);
      await again.deps.store.write('models/visible', Buffer.from('x'));
      await again.deps.store.write('batches/m/b/data', Buffer.from('x'));
      expect(await listAll(again.deps.store, 'models/')).toEqual(['models/visible']);
      expect(await listAll(again.deps.store, 'batches/')).toEqual(['batches/m/b/data']);
    } finally {
      await again.close({ remove: true });
    }
  });
});
