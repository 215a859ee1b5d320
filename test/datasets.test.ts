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

const meta = (shape: unknown, parser = 'idx') => ({ 'x-amz-meta-shape': JSON.stringify(shape), 'x-amz-meta-parser': parser });
const put = (url: string, headers: Record<string, string>) => fetch(url, { method: 'PUT', headers, redirect: 'manual' });

describe.each(['embedded', 'minio'] as const)('data and labels routes (%s store)', (storage) => {
  let server: TestServer;
  let base: string;
  beforeAll(async () => {
    server = await startTestServer({ storage });
    base = server.url;
    await uploadThroughRedirect(`${base}/model/m`, { 'x-amz-meta-name': 'm' }, new TextEncoder().encode('{}'));
    await uploadThroughRedirect(`${base}/parser/idx`, { 'x-amz-meta-name': 'idx' }, new TextEncoder().encode('-- lua'));
  });
  afterAll(() => server?.close({ remove: true }));

  describe.each(['data', 'labels'] as const)('%s', (kind) => {
    it(`PUT /model/:model/${kind}/:id uploads through the 307; it is listed and downloads byte-exact`, async () => {
      const bytes = everyByte();
      const answer = await uploadThroughRedirect(`${base}/model/m/${kind}/set1`, meta([28, 28]), bytes);
      expect(answer.id).toBe('set1');
      expect(await getJson<string[]>(`${base}/model/m/${kind}`)).toContain('set1');
      expect(await downloadThroughRedirect(`${base}/model/m/${kind}/set1`)).toEqual(bytes);
    });

    it(`HEAD /model/:model/${kind}/:id answers 200 with shape, parser, size, type, ETag, Last-Modified`, async () => {
      const bytes = everyByte();
      await uploadThroughRedirect(`${base}/model/m/${kind}/headed`, meta([3, 4, 5]), bytes, 'application/x-idx');
      const res = await fetch(`${base}/model/m/${kind}/headed`, { method: 'HEAD' });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.headers.get('x-amz-meta-shape')!)).toEqual([3, 4, 5]);
      expect(res.headers.get('x-amz-meta-parser')).toBe('idx');
      expect(res.headers.get('content-length')).toBe(String(bytes.length));
      expect(res.headers.get('content-type')).toBe('application/x-idx');
      expect(res.headers.get('etag')).toMatch(/^"[^"]+"$/);
      expect(res.headers.get('last-modified')).toBeTruthy();
    });

    it(`PUT /model/:model/${kind} generates an id`, async () => {
      const answer = await uploadThroughRedirect(`${base}/model/m/${kind}`, meta([1]), everyByte());
      expect(IdSchema.safeParse(answer.id).success).toBe(true);
      expect(await getJson<string[]>(`${base}/model/m/${kind}`)).toContain(answer.id);
    });

    it('answers 404 with a JSON error for an unknown model on list, GET, HEAD and PUT', async () => {
      await expectJsonError(await fetch(`${base}/model/ghost/${kind}`), 404, /ghost/);
      await expectJsonError(await fetch(`${base}/model/ghost/${kind}/set1`, { redirect: 'manual' }), 404, /ghost/);
      expect((await fetch(`${base}/model/ghost/${kind}/set1`, { method: 'HEAD' })).status).toBe(404);
      await expectJsonError(await put(`${base}/model/ghost/${kind}/set1`, meta([1])), 404, /ghost/);
      await expectJsonError(await put(`${base}/model/ghost/${kind}`, meta([1])), 404, /ghost/);
    });

    it('answers 404 with a JSON error for an unknown id of a known model', async () => {
      await expectJsonError(await fetch(`${base}/model/m/${kind}/none`, { redirect: 'manual' }), 404, /none/);
      expect((await fetch(`${base}/model/m/${kind}/none`, { method: 'HEAD' })).status).toBe(404);
    });

    it('answers 409 on a taken id, so uploaded data is never silently replaced', async () => {
      await uploadThroughRedirect(`${base}/model/m/${kind}/kept`, meta([2]), everyByte());
      await expectJsonError(await put(`${base}/model/m/${kind}/kept`, meta([2])), 409, /already exists/);
      expect(await downloadThroughRedirect(`${base}/model/m/${kind}/kept`)).toEqual(everyByte());
    });

    it.each([
      ['missing x-amz-meta-shape', { 'x-amz-meta-parser': 'idx' }, /x-amz-meta-shape/],
      ['shape that is not JSON', { ...meta(0), 'x-amz-meta-shape': '28x28' }, /x-amz-meta-shape.*JSON/],
      ['shape that is not an array', meta({ rows: 28 }), /x-amz-meta-shape/],
      ['empty shape', meta([]), /x-amz-meta-shape/],
      ['zero dimension', meta([28, 0]), /x-amz-meta-shape/],
      ['negative dimension', meta([-1]), /x-amz-meta-shape/],
      ['fractional dimension', meta([1.5]), /x-amz-meta-shape/],
      ['string dimension', meta(['28']), /x-amz-meta-shape/],
      ['missing x-amz-meta-parser', { 'x-amz-meta-shape': '[1]' }, /x-amz-meta-parser/],
      ['invalid parser id', meta([1], '../idx'), /x-amz-meta-parser/],
      ['unknown parser', meta([1], 'nosuch'), /nosuch.*PUT \/parser/],
    ])('answers 400 with a message saying what to send for a %s', async (_, headers, message) => {
      await expectJsonError(await put(`${base}/model/m/${kind}/invalid`, headers), 400, message);
      await expectJsonError(await put(`${base}/model/m/${kind}`, headers), 400, message);
      expect(await getJson<string[]>(`${base}/model/m/${kind}`)).not.toContain('invalid');
    });

    it.each(badIds)('answers 400 with a JSON error for the bad id %s, as model or dataset id', async (id) => {
      await expectJsonError(await fetch(`${base}/model/m/${kind}/${id}`, { redirect: 'manual' }), 400, /id/);
      expect((await fetch(`${base}/model/m/${kind}/${id}`, { method: 'HEAD' })).status).toBe(400);
      await expectJsonError(await put(`${base}/model/m/${kind}/${id}`, meta([1])), 400, /id/);
      await expectJsonError(await fetch(`${base}/model/${id}/${kind}`), 400, /model id/);
      await expectJsonError(await put(`${base}/model/${id}/${kind}`, meta([1])), 400, /model id/);
    });
  });

  it('keeps data and labels apart: the same id holds one dataset and its labels', async () => {
    const data = everyByte();
    const labels = everyByte().reverse();
    const answer = await uploadThroughRedirect(`${base}/model/m/data`, meta([4]), data);
    await uploadThroughRedirect(`${base}/model/m/labels/${answer.id}`, meta([1]), labels);
    expect(await downloadThroughRedirect(`${base}/model/m/data/${answer.id}`)).toEqual(data);
    expect(await downloadThroughRedirect(`${base}/model/m/labels/${answer.id}`)).toEqual(labels);
  });

  it('refuses data for a model whose upload has not arrived yet (404), and a parser still pending (400)', async () => {
    expect((await put(`${base}/model/later`, { 'x-amz-meta-name': 'later' })).status).toBe(307);
    await expectJsonError(await put(`${base}/model/later/data/d`, meta([1])), 404, /later/);
    expect((await put(`${base}/parser/soon`, { 'x-amz-meta-name': 'soon' })).status).toBe(307);
    await expectJsonError(await put(`${base}/model/m/data/d`, meta([1], 'soon')), 400, /soon/);
  });
});
