import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { batchOk, postBatch, uploadDataset, uploadModel } from './helpers/batch-uploads.js';
import { startChildServer, type ChildServer } from './helpers/child-server.js';
import { idxImages, idxLabels } from './helpers/idx.js';
import { downloadThroughRedirect, getJson } from './helpers/object-routes.js';
import { createSession, emaReference, float32Values, getSession, postBinary } from './helpers/sessions.js';
import { indexStoreProblems } from './helpers/store-index-check.js';

const dirs: string[] = [];
const running: ChildServer[] = [];
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop('SIGKILL')));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'webml-crash-'));
  dirs.push(dir);
  return dir;
}

async function start(dataDir: string): Promise<ChildServer> {
  const server = await startChildServer(dataDir);
  running.push(server);
  return server;
}

// Each kill point restarts a child server (1-4 s under a loaded machine's tsx start-up).
const killPointTimeout = 90_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const between = (low: number, high: number) => low + Math.random() * (high - low);
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function expectIndexMatchesStore(dataDir: string) {
  const { problems, batches } = indexStoreProblems(dataDir);
  expect(problems).toEqual([]);
  return batches;
}

describe('SIGKILL at random points, then restart on the same data directory', () => {
  it('embedded uploads: acknowledged ones all survive byte-exact, an interrupted one is whole or absent', async () => {
    const dir = tempDir();
    let server = await start(dir);
    const acked = new Map<string, string>();
    const outcomes: string[] = [];
    for (let k = 0; k < 7; k++) {
      const id = `up-${k}`;
      const bytes = randomBytes(2 * 1024 * 1024);
      const redirect = await fetch(`${server.url}/model/${id}`, { method: 'PUT', headers: { 'x-amz-meta-name': id }, redirect: 'manual' });
      expect(redirect.status).toBe(307);
      const upload = fetch(redirect.headers.get('location')!, { method: 'PUT', body: new Blob([bytes]) }).then(
        (res) => res.status === 200,
        () => false,
      );
      await sleep(between(0, 150));
      await server.stop('SIGKILL');
      if (await upload) acked.set(id, sha(bytes));

      server = await start(dir);
      expectIndexMatchesStore(dir);
      const listed = await getJson<string[]>(`${server.url}/models`);
      if (listed.includes(id)) acked.set(id, sha(bytes));
      outcomes.push(acked.has(id) ? 'stored' : 'absent');
      expect(listed.sort()).toEqual([...acked.keys()].sort());
      for (const [ackedId, digest] of acked) expect(sha(await downloadThroughRedirect(`${server.url}/model/${ackedId}`))).toBe(digest);
    }
    console.log(`crash/uploads: 7 kill points; interrupted upload after restart: ${outcomes.join(' ')}`);
  }, killPointTimeout);

  it('batching runs: the index shows the previous set or a whole new one, and the previous set survives an interrupted re-batch', async () => {
    const dir = tempDir();
    let server = await start(dir);
    const count = 1500;
    const pixel = (i: number, p: number) => (i * 31 + p * 7) & 255;
    await uploadModel(server.url, 'm');
    await uploadDataset(server.url, 'm', 'data', 'train', [28, 28], 'idx-images', idxImages(count, 28, 28, pixel));
    await uploadDataset(server.url, 'm', 'labels', 'train', [1], 'idx-labels', idxLabels(Array.from({ length: count }, (_, i) => i % 10)));
    const fields = (batchSize: number) => ({ data_parser: 'idx-images', label_parser: 'idx-labels', batch_size: batchSize });
    const started = Date.now();
    await batchOk(server.url, 'm', 'train', fields(6));
    const runMs = Date.now() - started;
    let previous = await getJson<string[]>(`${server.url}/model/m/batches`);

    let survived = 0;
    for (let k = 0; k < 7; k++) {
      const batchSize = k % 2 ? 6 : 5;
      const rebatch = postBatch(server.url, 'm', 'train', fields(batchSize)).catch(() => null);
      if (k % 2) {
        // Odd rounds: mid-run for sure, once a random share of the new set's objects exist.
        const target = Math.ceil(between(0.1, 0.9) * Math.ceil(count / batchSize));
        const written = () => readdirSync(path.join(dir, 'objects', 'batches', 'm')).filter((id) => !previous.includes(id)).length;
        while (written() < target) await sleep(2);
      } else {
        // Even rounds: any time, possibly after the run's index swap.
        await sleep(between(0.05, 1.1) * runMs);
      }
      await server.stop('SIGKILL');
      await rebatch;

      server = await start(dir);
      const rows = expectIndexMatchesStore(dir);
      const ids = await getJson<string[]>(`${server.url}/model/m/batches`);
      expect(ids.sort()).toEqual(rows.map((r) => r.id).sort());
      // One run's set, whole: a single prefix, indices 0..n-1, every record once.
      const prefixes = new Set(ids.map((id) => id.replace(/-\d+$/, '')));
      expect(prefixes.size).toBe(1);
      const setBatchSize = rows.find((r) => r.id.endsWith('-0'))!.count;
      expect(ids.map((id) => Number(/-(\d+)$/.exec(id)![1])).sort((a, b) => a - b)).toEqual([...Array(Math.ceil(count / setBatchSize)).keys()]);
      expect(rows.reduce((sum, r) => sum + r.count, 0)).toBe(count);
      if (ids.sort().join() === [...previous].sort().join()) survived++;
      // Spot-check bytes: batch n holds images n*batchSize onwards.
      for (const id of [ids[0], ids[ids.length - 1]]) {
        const n = Number(/-(\d+)$/.exec(id)![1]);
        const bytes = await downloadThroughRedirect(`${server.url}/model/m/batch/${id}/data`);
        const first = n * setBatchSize;
        const records = Math.min(setBatchSize, count - first);
        expect(bytes.length).toBe(records * 784);
        expect([bytes[0], bytes[bytes.length - 1]]).toEqual([pixel(first, 0), pixel(first + records - 1, 783)]);
      }
      previous = ids;
    }
    console.log(`crash/batching: 7 kill points in a ${runMs} ms run; previous set kept ${survived}, new set whole ${7 - survived}`);
    // Odd rounds kill before the swap (the run's last step): their previous set must survive.
    expect(survived).toBeGreaterThanOrEqual(3);
  }, killPointTimeout);

  it('weight merges: every acknowledged update is there and the weights match that many merges', async () => {
    const dir = tempDir();
    let server = await start(dir);
    const shape = [100, 100];
    const alpha = 0.9;
    const c0 = float32Values(10_000, 11);
    const v = float32Values(10_000, 12);
    await uploadModel(server.url, 'm');
    const sid = await createSession(server.url, 'm', { shape, alpha, data: Array.from(c0) });
    let acked = 0;
    let sent = 0;
    const rounds: string[] = [];
    for (let k = 0; k < 7; k++) {
      const url = `${server.url}/model/m/session/${sid}/weights`;
      let stopped = false;
      const clients = Array.from({ length: 8 }, async () => {
        while (!stopped) {
          sent++;
          const ok = await postBinary(url, v, shape).then(
            (res) => res.status === 200,
            () => false,
          );
          if (ok) acked++;
          else return;
        }
      });
      // Kill mid-burst: after a random number of acknowledged merges, plus a random delay.
      const target = acked + Math.ceil(between(1, 60));
      while (acked < target) await sleep(2);
      await sleep(between(0, 30));
      await server.stop('SIGKILL');
      stopped = true;
      await Promise.all(clients);

      server = await start(dir);
      expectIndexMatchesStore(dir);
      const session = await getSession(server.url, 'm', sid);
      expect(session.version).toBeGreaterThanOrEqual(acked);
      expect(session.version).toBeLessThanOrEqual(sent);
      expect(session.weights.data).toEqual(Array.from(emaReference(c0, Array(session.version).fill(v), alpha)));
      // Counting from what the database holds: an unacknowledged but committed update is fine.
      rounds.push(`${acked}/${session.version}`);
      acked = session.version;
    }
    console.log(`crash/weights: 7 kill points; acknowledged/stored versions ${rounds.join(' ')}`);
  }, killPointTimeout);
});

const mainScript = fileURLToPath(new URL('../app/main.ts', import.meta.url));

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('SIGTERM', () => {
  it('during a burst of weight posts: exits 0 and every acknowledged update is in the database', async () => {
    const dir = tempDir();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, ['--import', 'tsx', mainScript], {
      env: { ...process.env, DATA_DIR: dir, PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: url, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('"msg":"listening"')) resolve();
      });
      child.once('exit', () => reject(new Error(`main.ts exited before listening: ${out}`)));
    });

    const shape = [200, 500];
    const alpha = 0.99;
    const c0 = float32Values(100_000, 21);
    const v = float32Values(100_000, 22);
    await uploadModel(url, 'm');
    const sid = await createSession(url, 'm', { shape, alpha, data: Array.from(c0) });
    const weights = `${url}/model/m/session/${sid}/weights`;
    let acked = 0;
    let sent = 0;
    const failures: number[] = [];
    const clients = Array.from({ length: 16 }, async () => {
      for (;;) {
        sent++;
        try {
          const res = await postBinary(weights, v, shape);
          if (res.status !== 200) {
            failures.push(res.status);
            return;
          }
          await res.arrayBuffer();
          acked++;
        } catch {
          return; // refused: the server has stopped accepting
        }
      }
    });
    while (acked < 100) await sleep(5);
    child.kill('SIGTERM');
    await Promise.all(clients);
    expect(await exited).toBe(0);
    expect(out).toContain('"msg":"stopped"');
    expect(failures).toEqual([]);

    const server = await start(dir);
    const session = await getSession(server.url, 'm', sid);
    console.log(`crash/sigterm: ${acked} acknowledged, ${session.version} stored, exit 0`);
    expect(session.version).toBeGreaterThanOrEqual(acked);
    expect(session.version).toBeLessThanOrEqual(sent);
    expect(session.weights.data).toEqual(Array.from(emaReference(c0, Array(session.version).fill(v), alpha)));
  }, killPointTimeout);
});
