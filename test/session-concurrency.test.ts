import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { createModel, createSession, emaReference, float32Values, getSession, postBinary, postJson } from './helpers/sessions.js';

let server: TestServer;
let base: string;
beforeAll(async () => {
  server = await startTestServer();
  base = server.url;
  await createModel(base, 'm');
});
afterAll(() => server?.close({ remove: true }));

const shape = [10, 100];
const n = 1000;

it('loses no update: 200 concurrent clients x 5 identical updates (JSON and binary mixed) give version 1000 and the closed form', async () => {
  const alpha = 0.999;
  const c0 = Float64Array.from(float32Values(n, 7), (x) => x * Math.PI);
  const v = float32Values(n, 99);
  const sid = await createSession(base, 'm', { shape, alpha, data: Array.from(c0) });
  const url = `${base}/model/m/session/${sid}/weights`;
  const json = { shape, data: Array.from(v) };

  const versions = await Promise.all(
    Array.from({ length: 200 }, async (_, client) => {
      const seen: number[] = [];
      for (let k = 0; k < 5; k++) {
        const res = client % 2 === 0 ? await postJson(url, json) : await postBinary(url, v, shape);
        expect(res.status).toBe(200);
        seen.push(((await res.json()) as { version: number }).version);
      }
      return seen;
    }),
  );
  // Each update got its own version: applied one at a time, each acknowledged once.
  expect(versions.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));

  const s = await getSession(base, 'm', sid);
  expect(s.version).toBe(1000);
  // Identical updates: the result depends only on their count, so the float64 reference is exact...
  expect(s.weights.data).toEqual(Array.from(emaReference(c0, Array(1000).fill(v), alpha)));
  // ...and equals c0*a^1000 + v*(1-a^1000) up to rounding: each step adds at most ~2 ulp of
  // max|c0|,|v|, damped by alpha per step, so the total stays under 2^-51 * M / (1-alpha) ~ 5e-13 M.
  // One lost update would move it by (1-a) a^999 |c0-v| ~ 4e-4 |c0-v|.
  const a1000 = alpha ** 1000;
  s.weights.data.forEach((w, i) => {
    const M = Math.max(Math.abs(c0[i]), Math.abs(v[i]));
    expect(Math.abs(w - (c0[i] * a1000 + v[i] * (1 - a1000)))).toBeLessThanOrEqual(1e-12 * M);
  });
});

it('merges JSON and binary bodies of the same float32 values identically', async () => {
  const start = Array.from(float32Values(n, 3));
  const ids = await Promise.all(['json', 'f32', 'f64'].map((id) => createSession(base, 'm', { id, shape, alpha: 0.6, data: start })));
  for (let k = 0; k < 6; k++) {
    const values = float32Values(n, 100 + k);
    expect((await postJson(`${base}/model/m/session/json/weights`, { shape, data: Array.from(values) })).status).toBe(200);
    expect((await postBinary(`${base}/model/m/session/f32/weights`, values, shape)).status).toBe(200);
    expect((await postBinary(`${base}/model/m/session/f64/weights`, Float64Array.from(values), shape)).status).toBe(200);
  }
  const [json, f32, f64] = await Promise.all(ids.map((id) => getSession(base, 'm', id)));
  expect(json.version).toBe(6);
  expect(f32.weights.data).toEqual(json.weights.data);
  expect(f64.weights.data).toEqual(json.weights.data);
});

it('streams a large session as JSON that agrees with its float64 bytes', async () => {
  const big = [3, 50_000]; // 150k values: several streamed chunks
  const sid = await createSession(base, 'm', { shape: big, alpha: 0.5 });
  const values = float32Values(150_000, 42);
  expect((await postBinary(`${base}/model/m/session/${sid}/weights`, values, big)).status).toBe(200);
  const json = await getSession(base, 'm', sid);
  const bytes = await fetch(`${base}/model/m/session/${sid}?dtype=float64`, { headers: { Accept: 'application/octet-stream' } });
  expect(json).toMatchObject({ id: sid, model: 'm', version: 1, alpha: 0.5, loss: 0, weights: { shape: big } });
  expect(json.weights.data).toEqual(Array.from(new Float64Array(await bytes.arrayBuffer())));
  expect(json.weights.data[149_999]).toBe(values[149_999] * 0.5);
});
