import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/open.js';
import { sessions as sessionsTable } from '../db/schema/sessions.js';
import { startChildServer, type ChildServer } from './helpers/child-server.js';
import { expectJsonError, getJson } from './helpers/object-routes.js';
import { createModel, createSession, emaReference, float32Values, getSession, postBinary, postJson, putJson } from './helpers/sessions.js';

// The app in its own process, served the way app/main.ts serves it (Node's request reaches
// the handlers, so bodies are read straight from it). A small MAX_PARAMS makes the size
// limits (413) reachable with small bodies.
const maxParams = 1000;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'webml-session-routes-'));
let server: ChildServer;
let base: string;
beforeAll(async () => {
  server = await startChildServer(dataDir, { MAX_PARAMS: String(maxParams) });
  base = server.url;
  await createModel(base, 'm');
  await createModel(base, 'other');
});
afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const weightsUrl = (sid: string, model = 'm') => `${base}/model/${model}/session/${sid}/weights`;
const binaryHeaders = (shape: number[]) => ({ 'Content-Type': 'application/octet-stream', 'X-Tensor-Shape': JSON.stringify(shape) });

describe('PUT /model/:id/session', () => {
  it('creates a session with a generated id, alpha 0.9, loss 0 and zero weights', async () => {
    const res = await putJson(`${base}/model/m/session`, { shape: [2, 3] });
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: string };
    expect(id).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/);
    const s = await getSession(base, 'm', id);
    expect(s).toMatchObject({ id, model: 'm', loss: 0, alpha: 0.9, version: 0, weights: { shape: [2, 3], data: [0, 0, 0, 0, 0, 0] } });
    expect(Date.parse(s.updatedAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it("takes the client's id, loss, alpha and initial data, and answers 409 when the id is taken", async () => {
    const id = await createSession(base, 'm', { id: 'mine', shape: [3], loss: 2.5, alpha: 0.25, data: [1.5, -2, 1e-300] });
    expect(id).toBe('mine');
    expect(await getSession(base, 'm', 'mine')).toMatchObject({ loss: 2.5, alpha: 0.25, weights: { shape: [3], data: [1.5, -2, 1e-300] } });
    await expectJsonError(await putJson(`${base}/model/m/session`, { id: 'mine', shape: [1] }), 409, /mine.*already exists/);
    // The same id under another model is a different session.
    expect(await createSession(base, 'other', { id: 'mine', shape: [1] })).toBe('mine');
  });

  it('accepts alpha exactly 0 and exactly 1', async () => {
    await createSession(base, 'm', { id: 'a0', shape: [1], alpha: 0 });
    await createSession(base, 'm', { id: 'a1', shape: [1], alpha: 1 });
  });

  it.each([
    ['no shape', { alpha: 0.5 }, /shape/],
    ['an empty shape', { shape: [] }, /shape/],
    ['a zero dimension', { shape: [2, 0] }, /shape/],
    ['a fractional dimension', { shape: [1.5] }, /shape/],
    ['a shape over MAX_PARAMS', { shape: [maxParams + 1] }, /MAX_PARAMS/],
    ['alpha below 0', { shape: [1], alpha: -0.1 }, /alpha/],
    ['alpha above 1', { shape: [1], alpha: 1.01 }, /alpha/],
    ['a string loss', { shape: [1], loss: 'low' }, /loss/],
    ['a bad id', { shape: [1], id: '../x' }, /id/],
    ['data of the wrong length', { shape: [2], data: [1] }, /1 elements but the shape holds 2/],
    ['non-numeric data', { shape: [2], data: [1, 'x'] }, /data\[1\]/],
    ['null data', { shape: [2], data: null }, /data/],
  ])('answers 400 for %s', async (_, body, message) => {
    await expectJsonError(await putJson(`${base}/model/m/session`, body), 400, message);
  });

  it('answers 400 for malformed JSON, a non-finite loss (1e999) and infinite data', async () => {
    const put = (text: string) => fetch(`${base}/model/m/session`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: text });
    await expectJsonError(await put('{"shape": [1]'), 400, /JSON/);
    await expectJsonError(await put('{"shape": [1], "loss": 1e999}'), 400, /loss/);
    await expectJsonError(await put('{"shape": [2], "data": [1, -1e999]}'), 400, /data\[1\] is -Infinity/);
  });

  it('answers 404 for an unknown model and for a model whose upload never finished, 400 for a bad model id', async () => {
    await expectJsonError(await putJson(`${base}/model/nope/session`, { shape: [1] }), 404, /nope/);
    const pending = await fetch(`${base}/model/pending`, { method: 'PUT', headers: { 'x-amz-meta-name': 'p' }, redirect: 'manual' });
    expect(pending.status).toBe(307);
    await expectJsonError(await putJson(`${base}/model/pending/session`, { shape: [1] }), 404, /pending/);
    await expectJsonError(await putJson(`${base}/model/.bad/session`, { shape: [1] }), 400);
  });

  it('answers 413 for a body larger than a MAX_PARAMS tensor can need', async () => {
    const text = JSON.stringify({ shape: [1] }) + ' '.repeat(maxParams * 40 + 70_000);
    const res = await fetch(`${base}/model/m/session`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: text });
    await expectJsonError(res, 413, /limit/);
  });
});

describe('GET /model/:mid/session/:sid and /sessions', () => {
  it('lists the sessions of a model, and 404s for an unknown model', async () => {
    await createModel(base, 'listing');
    expect(await getJson<string[]>(`${base}/model/listing/sessions`)).toEqual([]);
    await createSession(base, 'listing', { id: 's1', shape: [1] });
    await createSession(base, 'listing', { id: 's2', shape: [1] });
    expect(await getJson<string[]>(`${base}/model/listing/sessions`)).toEqual(['s1', 's2']);
    await expectJsonError(await fetch(`${base}/model/nope/sessions`), 404, /nope/);
  });

  it('answers the weights as little-endian float32 or float64 bytes with the session headers', async () => {
    const data = [0.1, -2.5, 1e-30, 3e38 * 10];
    await createSession(base, 'm', { id: 'bin', shape: [2, 2], loss: 0.75, alpha: 0.5, data });
    const res = await fetch(`${base}/model/m/session/bin`, { headers: { Accept: 'application/octet-stream' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(JSON.parse(res.headers.get('x-tensor-shape')!)).toEqual([2, 2]);
    expect(res.headers.get('x-tensor-dtype')).toBe('float32');
    expect(res.headers.get('x-session-version')).toBe('0');
    expect(Number(res.headers.get('x-session-loss'))).toBe(0.75);
    expect(Number(res.headers.get('x-session-alpha'))).toBe(0.5);
    expect(new Float32Array(await res.arrayBuffer())).toEqual(new Float32Array(data));

    const f64 = await fetch(`${base}/model/m/session/bin?dtype=float64`, { headers: { Accept: 'application/octet-stream' } });
    expect(f64.headers.get('x-tensor-dtype')).toBe('float64');
    expect(Array.from(new Float64Array(await f64.arrayBuffer()))).toEqual(data);
  });

  it('lets a browser on another origin read the tensor and session headers of a binary GET', async () => {
    await createSession(base, 'm', { id: 'cors', shape: [2] });
    const res = await fetch(`${base}/model/m/session/cors`, { headers: { Accept: 'application/octet-stream', Origin: 'https://volunteer.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    // Every header (test/browser.test.ts reads X-Session-Version cross-origin in Chromium).
    expect(res.headers.get('access-control-expose-headers')).toBe('*');
  });

  it('answers HEAD with the session headers and no body', async () => {
    await createSession(base, 'm', { id: 'head', shape: [3], loss: 1.25 });
    const res = await fetch(`${base}/model/m/session/head`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-session-loss')).toBe('1.25');
    expect(res.headers.get('x-tensor-shape')).toBe('[3]');
    expect(await res.text()).toBe('');
  });

  it('answers 400 for an unknown ?dtype, 404 for an unknown session or model, 400 for a bad id', async () => {
    await createSession(base, 'm', { id: 'dt', shape: [1] });
    await expectJsonError(await fetch(`${base}/model/m/session/dt?dtype=int8`, { headers: { Accept: 'application/octet-stream' } }), 400, /dtype/);
    await expectJsonError(await fetch(`${base}/model/m/session/none`), 404, /Session 'none'/);
    await expectJsonError(await fetch(`${base}/model/nope/session/dt`), 404, /Model 'nope'/);
    await expectJsonError(await fetch(`${base}/model/m/session/..%2Fx`), 400);
  });

  it('answers 400 when the stored session is corrupt (weights that do not fit its shape)', async () => {
    const db = openDatabase(path.join(dataDir, 'webml.sqlite'));
    db.insert(sessionsTable).values({ model: 'm', id: 'corrupt', shape: [4], alpha: 0.9, loss: 0, weights: Buffer.alloc(12) }).run();
    db.$client.close();
    await expectJsonError(await fetch(`${base}/model/m/session/corrupt`), 400, /corrupt|12 weight bytes/);
  });
});

describe('POST /model/:mid/session/:sid/weights', () => {
  it('merges JSON, float32 and float64 bodies exactly as a float64 EMA reference', async () => {
    const start = [0.5, -1.25, 3, 1e-7, -8, 2];
    await createSession(base, 'm', { id: 'ema', shape: [2, 3], alpha: 0.7, data: start });
    const updates: Float64Array[] = [];
    for (let k = 0; k < 9; k++) {
      const values = float32Values(6, k + 1);
      const kind = k % 3;
      const res =
        kind === 0
          ? await postJson(weightsUrl('ema'), { shape: [2, 3], data: Array.from(values, (v) => v / 3) })
          : kind === 1
            ? await postBinary(weightsUrl('ema'), values, [2, 3])
            : await postBinary(weightsUrl('ema'), Float64Array.from(values, (v) => v / 7), [2, 3]);
      expect(res.status, await res.clone().text()).toBe(200);
      expect(await res.json()).toEqual({ version: k + 1 });
      updates.push(kind === 0 ? Float64Array.from(values, (v) => v / 3) : kind === 1 ? Float64Array.from(values) : Float64Array.from(values, (v) => v / 7));
    }
    const s = await getSession(base, 'm', 'ema');
    expect(s.version).toBe(9);
    expect(s.weights.data).toEqual(Array.from(emaReference(start, updates, 0.7)));
  });

  it('takes JSON sent without a JSON content type (as the original clients do)', async () => {
    await createSession(base, 'm', { id: 'plain', shape: [2], alpha: 0 });
    const res = await fetch(weightsUrl('plain'), { method: 'POST', body: JSON.stringify({ shape: [2], data: [4, 5] }) });
    expect(res.status).toBe(200);
    expect((await getSession(base, 'm', 'plain')).weights.data).toEqual([4, 5]);
  });

  it('with alpha 0 takes the update as is; with alpha 1 keeps the weights but still counts the version', async () => {
    await createSession(base, 'm', { id: 'zero', shape: [2], alpha: 0, data: [1, 1] });
    await createSession(base, 'm', { id: 'one', shape: [2], alpha: 1, data: [1, 1] });
    for (const sid of ['zero', 'one']) expect((await postJson(weightsUrl(sid), { shape: [2], data: [7, -7] })).status).toBe(200);
    expect((await getSession(base, 'm', 'zero')).weights.data).toEqual([7, -7]);
    expect(await getSession(base, 'm', 'one')).toMatchObject({ version: 1, weights: { data: [1, 1] } });
  });

  it.each([
    ['a shape mismatch', { shape: [3, 1], data: [1, 2, 3] }, /shape \[3,1\] does not match.*\[1,3\]/],
    ['a length mismatch', { shape: [1, 3], data: [1, 2] }, /2 elements but the shape holds 3/],
    ['a non-numeric element', { shape: [1, 3], data: [1, '2', 3] }, /data\[1\]/],
    ['no data', { shape: [1, 3] }, /data/],
    ['no shape', { data: [1, 2, 3] }, /shape/],
    ['a non-object body', [1, 2, 3], /tensor/],
  ])('answers 400 for %s in a JSON body, and the session is unchanged', async (_, body, message) => {
    const sid = await createSession(base, 'm', { shape: [1, 3] });
    await expectJsonError(await postJson(weightsUrl(sid), body), 400, message);
    expect((await getSession(base, 'm', sid)).version).toBe(0);
  });

  it('answers 400 for malformed or non-finite JSON', async () => {
    const sid = await createSession(base, 'm', { shape: [2] });
    const post = (text: string) => fetch(weightsUrl(sid), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: text });
    await expectJsonError(await post('{"shape":[2],"data":[1,'), 400, /JSON/);
    await expectJsonError(await post('{"shape":[2],"data":[1e999,1]}'), 400, /data\[0\] is Infinity/);
    // Raw floats sent the way `curl --data-binary @weights.bin` sends them (form-urlencoded):
    // the answer says how to send binary instead of only that the bytes are not JSON.
    const bytes = new Uint8Array(new Float32Array([1, 2]).buffer);
    const untyped = await fetch(weightsUrl(sid), { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new Blob([bytes]) });
    await expectJsonError(untyped, 400, /not valid JSON.*Content-Type: application\/octet-stream.*X-Tensor-Shape/);
    expect((await getSession(base, 'm', sid)).version).toBe(0);
  });

  it('answers 400 for binary bodies with a bad or missing shape header, wrong byte count, bad dtype or NaN', async () => {
    const sid = await createSession(base, 'm', { shape: [2, 2] });
    const four = new Float32Array([1, 2, 3, 4]);
    const raw = (headers: Record<string, string>, body: Uint8Array<ArrayBuffer>) =>
      fetch(weightsUrl(sid), { method: 'POST', headers: { 'Content-Type': 'application/octet-stream', ...headers }, body: new Blob([body]) });
    await expectJsonError(await raw({}, new Uint8Array(four.buffer)), 400, /X-Tensor-Shape/);
    await expectJsonError(await raw({ 'X-Tensor-Shape': 'two by two' }, new Uint8Array(four.buffer)), 400, /X-Tensor-Shape/);
    await expectJsonError(await postBinary(weightsUrl(sid), four, [4]), 400, /shape \[4\] does not match/);
    await expectJsonError(await postBinary(weightsUrl(sid), new Float32Array(3), [2, 2]), 400, /12 bytes.*take 16/);
    await expectJsonError(await postBinary(weightsUrl(sid), four, [2, 2], { 'X-Tensor-Dtype': 'int8' }), 400, /X-Tensor-Dtype/);
    await expectJsonError(await postBinary(weightsUrl(sid), new Float32Array([1, NaN, 3, 4]), [2, 2]), 400, /data\[1\] is NaN/);
    await expectJsonError(await postBinary(weightsUrl(sid), new Float64Array([1, 2, Infinity, 4]), [2, 2]), 400, /data\[2\] is Infinity/);
    // A bare comma list is a valid shape header too (the SDK's form).
    expect((await postBinary(weightsUrl(sid), four, [2, 2], { 'X-Tensor-Shape': '2,2' })).status).toBe(200);
    expect((await getSession(base, 'm', sid)).version).toBe(1);
  });

  it('answers 413 for bodies over what a MAX_PARAMS tensor can need', async () => {
    const sid = await createSession(base, 'm', { shape: [2] });
    await expectJsonError(await postBinary(weightsUrl(sid), new Float64Array(maxParams + 1), [2]), 413, /limit/);
    const padded = JSON.stringify({ shape: [2], data: [1, 2] }) + ' '.repeat(maxParams * 40 + 70_000);
    await expectJsonError(await fetch(weightsUrl(sid), { method: 'POST', body: padded }), 413, /octet-stream/);
    // Chunked, so no Content-Length announces the size: the 413 comes once the limit is passed.
    let sent = 0;
    const endless = new ReadableStream({ pull: (c) => (sent++ < 10 ? c.enqueue(new Uint8Array(4096)) : c.close()) });
    const chunked = await fetch(weightsUrl(sid), { method: 'POST', headers: binaryHeaders([2]), body: endless, duplex: 'half' } as RequestInit);
    await expectJsonError(chunked, 413, /limit/);
    expect((await getSession(base, 'm', sid)).version).toBe(0);
  });

  it('takes a chunked binary body whose floats straddle chunk boundaries', async () => {
    const sid = await createSession(base, 'm', { shape: [3], alpha: 0 });
    const bytes = new Uint8Array(new Float32Array([1.5, -2.25, 3]).buffer);
    let at = 0;
    const body = new ReadableStream({ pull: (c) => (at < 12 ? c.enqueue(bytes.slice(at, (at += 5))) : c.close()) });
    const res = await fetch(weightsUrl(sid), { method: 'POST', headers: binaryHeaders([3]), body, duplex: 'half' } as RequestInit);
    expect(await res.json()).toEqual({ version: 1 });
    expect((await getSession(base, 'm', sid)).weights.data).toEqual([1.5, -2.25, 3]);
  });

  it('applies nothing when the client disconnects mid-body, and goes on serving', async () => {
    const sid = await createSession(base, 'm', { shape: [4] });
    const { port } = new URL(base);
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /model/m/session/${sid}/weights HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n` +
        'X-Tensor-Shape: [4]\r\nContent-Length: 16\r\n\r\n',
    );
    socket.write(new Uint8Array(new Float32Array([1, 2]).buffer)); // half the promised bytes
    await new Promise((r) => setTimeout(r, 50));
    socket.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect((await getSession(base, 'm', sid)).version).toBe(0);
    expect(await (await postBinary(weightsUrl(sid), new Float32Array(4), [4])).json()).toEqual({ version: 1 });
  });

  it('answers 404 for an unknown session or model', async () => {
    await expectJsonError(await postJson(weightsUrl('none'), { shape: [1], data: [1] }), 404, /Session 'none'/);
    await expectJsonError(await postBinary(weightsUrl('none', 'nope'), new Float32Array(1), [1]), 404, /Model 'nope'/);
  });
});

describe('loss', () => {
  it('POST .../loss answers 200 with an empty body, sets the loss and appends (version, loss, time) to the history', async () => {
    const sid = await createSession(base, 'm', { shape: [1], loss: 9 });
    const lossUrl = `${base}/model/m/session/${sid}/loss`;
    expect(await getJson(`${base}/model/m/session/${sid}/losses`)).toEqual([]);
    const before = Date.now();
    let res = await postJson(lossUrl, { loss: 3.5 });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    await postJson(weightsUrl(sid), { shape: [1], data: [1] });
    await postJson(weightsUrl(sid), { shape: [1], data: [1] });
    res = await postJson(lossUrl, { loss: 1.25 });
    expect(res.status).toBe(200);
    expect((await getSession(base, 'm', sid)).loss).toBe(1.25);
    const history = await getJson<Array<{ version: number; loss: number; at: string }>>(`${base}/model/m/session/${sid}/losses`);
    expect(history.map(({ version, loss }) => ({ version, loss }))).toEqual([
      { version: 0, loss: 3.5 },
      { version: 2, loss: 1.25 },
    ]);
    for (const p of history) expect(Date.parse(p.at)).toBeGreaterThanOrEqual(before - 5);
  });

  it.each([
    ['a string', '{"loss":"low"}'],
    ['no loss', '{}'],
    ['an infinite loss', '{"loss":1e999}'],
    ['malformed JSON', '{"loss":'],
  ])('POST .../loss answers 400 for %s', async (_, text) => {
    const sid = await createSession(base, 'm', { shape: [1] });
    const res = await fetch(`${base}/model/m/session/${sid}/loss`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: text });
    await expectJsonError(res, 400);
    expect(await getJson(`${base}/model/m/session/${sid}/losses`)).toEqual([]);
  });

  it('answers 404 for an unknown session or model on POST .../loss and GET .../losses', async () => {
    await expectJsonError(await postJson(`${base}/model/m/session/none/loss`, { loss: 1 }), 404, /Session 'none'/);
    await expectJsonError(await postJson(`${base}/model/nope/session/none/loss`, { loss: 1 }), 404, /Model 'nope'/);
    await expectJsonError(await fetch(`${base}/model/m/session/none/losses`), 404, /Session 'none'/);
    await expectJsonError(await fetch(`${base}/model/nope/session/none/losses`), 404, /Model 'nope'/);
  });
});
