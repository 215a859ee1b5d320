import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdSchema } from '../app/validation.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import {
  badIds,
  downloadThroughRedirect,
  everyByte,
  expectJsonError,
  getJson,
  uploadThroughRedirect,
} from './helpers/object-routes.js';

const source = new TextEncoder().encode('function parse(chunk, n) return { chunk } end\n');

describe.each(['embedded', 'minio'] as const)('parser routes (%s store)', (storage) => {
  let server: TestServer;
  let base: string;
  beforeAll(async () => {
    server = await startTestServer({ storage });
    base = server.url;
  });
  afterAll(() => server?.close({ remove: true }));

  it('PUT /parser generates an id, and the uploaded parser is listed and downloads byte-exact', async () => {
    const answer = await uploadThroughRedirect(`${base}/parser`, { 'x-amz-meta-name': 'generated' }, source, 'text/x-lua');
    expect(IdSchema.safeParse(answer.id).success).toBe(true);
    expect(await getJson<string[]>(`${base}/parsers`)).toContain(answer.id);
    expect(await downloadThroughRedirect(`${base}/parser/${answer.id}`)).toEqual(source);
  });

  it('PUT /parser hands out a different id each time', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${base}/parser`, { method: 'PUT', headers: { 'x-amz-meta-name': 'n' }, redirect: 'manual' });
      expect(res.status).toBe(307);
      ids.add(res.headers.get('x-object-id')!);
    }
    expect(ids.size).toBe(3);
  });

  it('PUT /parser/:id takes the client id and keeps every byte value', async () => {
    const bytes = everyByte();
    const answer = await uploadThroughRedirect(`${base}/parser/bytes.lua`, { 'x-amz-meta-name': 'bytes' }, bytes);
    expect(answer.id).toBe('bytes.lua');
    expect(await downloadThroughRedirect(`${base}/parser/bytes.lua`)).toEqual(bytes);
  });

  it('HEAD /parser/:id answers 200 with the name and object metadata', async () => {
    await uploadThroughRedirect(`${base}/parser/headed`, { 'x-amz-meta-name': 'IDX images' }, source, 'text/x-lua');
    const res = await fetch(`${base}/parser/headed`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-amz-meta-name')).toBe('IDX images');
    expect(res.headers.get('content-length')).toBe(String(source.length));
    expect(res.headers.get('content-type')).toBe('text/x-lua');
    expect(res.headers.get('etag')).toMatch(/^"[^"]+"$/);
    expect(res.headers.get('last-modified')).toBeTruthy();
  });

  it('PUT /parser/:id answers 409 on a taken id so a parser datasets rely on is never replaced', async () => {
    await uploadThroughRedirect(`${base}/parser/kept`, { 'x-amz-meta-name': 'kept' }, source);
    const again = await fetch(`${base}/parser/kept`, { method: 'PUT', headers: { 'x-amz-meta-name': 'new' }, redirect: 'manual' });
    await expectJsonError(again, 409, /already exists/);
    expect(await downloadThroughRedirect(`${base}/parser/kept`)).toEqual(source);
  });

  it('answers 400 saying what to send when x-amz-meta-name is missing', async () => {
    await expectJsonError(await fetch(`${base}/parser`, { method: 'PUT', redirect: 'manual' }), 400, /x-amz-meta-name/);
    await expectJsonError(await fetch(`${base}/parser/named`, { method: 'PUT', redirect: 'manual' }), 400, /x-amz-meta-name/);
  });

  it('answers 404 with a JSON error for an unknown parser, and does not list pending uploads', async () => {
    await expectJsonError(await fetch(`${base}/parser/unknown`, { redirect: 'manual' }), 404, /unknown/);
    expect((await fetch(`${base}/parser/unknown`, { method: 'HEAD' })).status).toBe(404);
    const pending = await fetch(`${base}/parser/pending`, { method: 'PUT', headers: { 'x-amz-meta-name': 'p' }, redirect: 'manual' });
    expect(pending.status).toBe(307);
    expect(await getJson<string[]>(`${base}/parsers`)).not.toContain('pending');
    await expectJsonError(await fetch(`${base}/parser/pending`, { redirect: 'manual' }), 404);
  });

  it.each(badIds)('answers 400 with a JSON error for the bad id %s', async (id) => {
    await expectJsonError(await fetch(`${base}/parser/${id}`, { redirect: 'manual' }), 400, /parser id/);
    expect((await fetch(`${base}/parser/${id}`, { method: 'HEAD' })).status).toBe(400);
    const put = await fetch(`${base}/parser/${id}`, { method: 'PUT', headers: { 'x-amz-meta-name': 'x' }, redirect: 'manual' });
    await expectJsonError(put, 400, /parser id/);
  });
});
