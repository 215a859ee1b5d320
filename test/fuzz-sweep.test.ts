import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchOk, uploadDataset } from './helpers/batch-uploads.js';
import { hostileRequestArb, type HostileRequest, type KnownIds } from './helpers/hostile-requests.js';
import { downloadThroughRedirect, everyByte, getJson, uploadThroughRedirect } from './helpers/object-routes.js';
import { abandonedRequest, rawRequest } from './helpers/raw-http.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const RUNS = 2_400;
const CONCURRENCY = 4;
const known: KnownIds = { model: 'fz-model', parser: 'fz-parser', dataset: 'fz-data', session: 'fz-sess', batch: '' };

async function seed(base: string) {
  await uploadThroughRedirect(`${base}/model/${known.model}`, { 'x-amz-meta-name': 'fuzz target' }, everyByte());
  await uploadThroughRedirect(`${base}/parser/${known.parser}`, { 'x-amz-meta-name': 'p' }, Buffer.from('function parse(chunk, n) return {} end\n'));
  const rows = Array.from({ length: 10 }, (_, i) => String(i * 3)).join('\n');
  await uploadDataset(base, known.model, 'data', known.dataset, [1], 'csv', rows);
  await uploadDataset(base, known.model, 'labels', known.dataset, [1], 'csv', rows);
  await batchOk(base, known.model, known.dataset, { data_parser: 'csv', label_parser: 'csv', batch_size: 3 });
  const created = await fetch(`${base}/model/${known.model}/session`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ id: known.session, shape: [3, 7], alpha: 0.5, data: Array.from({ length: 21 }, (_, i) => i / 7) }),
  });
  expect(created.status, await created.clone().text()).toBe(200);
  for (let k = 1; k <= 3; k++) {
    const res = await fetch(`${base}/model/${known.model}/session/${known.session}/weights`, {
      method: 'POST',
      body: JSON.stringify({ shape: [3, 7], data: Array.from({ length: 21 }, (_, i) => Math.sin(i * k)) }),
    });
    expect(res.status).toBe(200);
  }
  const loss = await fetch(`${base}/model/${known.model}/session/${known.session}/loss`, { method: 'POST', body: '{"loss":0.25}' });
  expect(loss.status).toBe(200);
}

/** Everything the seed wrote, as a client sees it: bytes, metadata, batch sets, session state. */
async function snapshot(base: string) {
  const m = `${base}/model/${known.model}`;
  const head = async (url: string) => {
    const res = await fetch(url, { method: 'HEAD' });
    expect(res.status).toBe(200);
    return ['x-amz-meta-name', 'x-amz-meta-shape', 'x-amz-meta-parser', 'x-amz-meta-dtype', 'content-length'].map((h) => res.headers.get(h));
  };
  const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
  const batches = await getJson<string[]>(`${m}/batches`);
  const batchParts = [];
  for (const b of batches) {
    for (const part of ['data', 'labels']) {
      batchParts.push([b, part, await head(`${m}/batch/${b}/${part}`), hex(await downloadThroughRedirect(`${m}/batch/${b}/${part}`))]);
    }
  }
  return {
    models: (await getJson<string[]>(`${base}/models`)).filter((id) => id === known.model),
    model: [await head(m), hex(await downloadThroughRedirect(m))],
    parser: [await head(`${base}/parser/${known.parser}`), hex(await downloadThroughRedirect(`${base}/parser/${known.parser}`))],
    data: [await head(`${m}/data/${known.dataset}`), hex(await downloadThroughRedirect(`${m}/data/${known.dataset}`))],
    labels: [await head(`${m}/labels/${known.dataset}`), hex(await downloadThroughRedirect(`${m}/labels/${known.dataset}`))],
    batches,
    batchParts,
    session: await getJson(`${m}/session/${known.session}`),
    losses: await getJson(`${m}/session/${known.session}/losses`),
  };
}

/** A 4xx from the app must say what was wrong: `{ error: { code, message } }`. */
function problemWith(req: HostileRequest, status: number, body: string): string | null {
  if (status >= 500 || status < 100) return `status ${status}`;
  if (status < 400 || req.method === 'HEAD' || body === '') return null;
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } };
    return typeof parsed.error?.message === 'string' && parsed.error.message.length > 0 ? null : 'error body without a message';
  } catch {
    return 'error body is not JSON';
  }
}

describe('bad-input sweep over every route', () => {
  let s: TestServer;
  let before: Awaited<ReturnType<typeof snapshot>>;

  beforeAll(async () => {
    s = await startTestServer();
    await seed(s.url);
    known.batch = (await getJson<string[]>(`${s.url}/model/${known.model}/batches`))[0];
    before = await snapshot(s.url);
  });
  afterAll(() => s.close({ remove: true }));

  it('answers thousands of generated hostile requests with 4xx, never 5xx, and changes nothing', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
    const requests = fc.sample(hostileRequestArb(known), { numRuns: RUNS, seed });
    const findings = new Map<string, string>();
    const statuses = new Map<number, number>();
    let sent = 0;

    const worker = async () => {
      while (sent < requests.length) {
        const req = requests[sent++];
        let problem: string | null;
        try {
          const res = await rawRequest(s.url, req);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          problem = problemWith(req, res.status, res.body);
          if (problem) problem += `: ${res.body.slice(0, 300)}`;
        } catch (err) {
          problem = `no answer: ${(err as Error).message}`;
        }
        if (problem) {
          const route = `${req.method} ${req.path.replace(/\/[^/?]*/g, '/_').slice(0, 60)}`;
          if (!findings.has(route)) findings.set(route, `${problem}\n  reproduce: ${JSON.stringify({ ...req, body: req.body?.toString('base64') ?? null })}`);
        }
        if (sent % 500 === 0) expect((await rawRequest(s.url, { method: 'GET', path: '/healthz' })).status).toBe(200);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    // Clients that hang up mid-body: a signed upload, a JSON and a binary weights update.
    let abandoned = 0;
    for (let i = 0; i < 8; i++) {
      const upload = await fetch(`${s.url}/model/fz-abandoned-${i}`, { method: 'PUT', headers: { 'x-amz-meta-name': 'a' }, redirect: 'manual' });
      const signed = new URL(upload.headers.get('location')!);
      await abandonedRequest(s.url, { method: 'PUT', path: signed.pathname + signed.search }, 1_000_000, 30_000);
      const weights = `/model/${known.model}/session/${known.session}/weights`;
      await abandonedRequest(s.url, { method: 'POST', path: weights, headers: { 'content-type': 'application/json' } }, 5000, 100);
      await abandonedRequest(
        s.url,
        { method: 'POST', path: weights, headers: { 'content-type': 'application/octet-stream', 'x-tensor-shape': '[3,7]' } },
        84,
        40,
      );
      abandoned += 3;
    }

    const summary = [...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}x${n}`).join(' ');
    console.log(`fuzz sweep: ${sent} generated requests (seed ${seed}) + ${abandoned} abandoned bodies; statuses ${summary}`);
    for (const [route, finding] of findings) console.log(`FINDING ${route}: ${finding}`);

    expect(sent).toBeGreaterThanOrEqual(2_000);
    expect([...findings.keys()]).toEqual([]);
    expect((await rawRequest(s.url, { method: 'GET', path: '/healthz' })).status).toBe(200);
    for (let i = 0; i < 8; i++) expect(await getJson<string[]>(`${s.url}/models`)).not.toContain(`fz-abandoned-${i}`);
    expect(await snapshot(s.url)).toEqual(before);
  }, 120_000);
});
