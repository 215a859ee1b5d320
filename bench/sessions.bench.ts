import autocannon from 'autocannon';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnServer, startChildServer, type ChildServer } from '../test/helpers/child-server.js';
import type { BenchRow } from './report.js';

/**
 * The session hot path: workers POST weights after every training step. Both servers run
 * in child processes and take the same bodies from the same client (autocannon, in this
 * process); runs alternate between them so background load hits both alike.
 */
const bareScript = fileURLToPath(new URL('./sessions-bare-server.ts', import.meta.url));
const rounds = 2;
const secondsPerRun = 3;

interface Load {
  updates: number;
  seconds: number;
  p50: number;
  p99: number;
  /** CPU time the server process spent (all its threads), when /proc tells. */
  cpuMs: number | null;
}

/** CPU time of a process so far (Linux /proc, 100 ticks per second), or null elsewhere. */
function cpuMs(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

async function load(server: ChildServer, path: string, body: Buffer, headers: Record<string, string>, connections: number, seconds: number): Promise<Load> {
  const cpuBefore = cpuMs(server.child.pid!);
  const r = await autocannon({ url: `${server.url}${path}`, method: 'POST', headers, body, connections, duration: seconds });
  if (r.non2xx || r.errors) throw new Error(`${path}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
  const cpuAfter = cpuMs(server.child.pid!);
  const cpu = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
  return { updates: r['2xx'], seconds: r.duration, p50: r.latency.p50, p99: r.latency.p99, cpuMs: cpu };
}

/** Alternates the two targets `rounds` times and sums each side's runs. */
async function sideBySide(targets: Array<() => Promise<Load>>): Promise<Load[]> {
  const sums: Load[] = targets.map(() => ({ updates: 0, seconds: 0, p50: 0, p99: 0, cpuMs: 0 }));
  for (let round = 0; round < rounds; round++) {
    for (const [i, run] of targets.entries()) {
      const r = await run();
      const sum = sums[i];
      sum.updates += r.updates;
      sum.seconds += r.seconds;
      sum.p50 = Math.max(sum.p50, r.p50);
      sum.p99 = Math.max(sum.p99, r.p99);
      sum.cpuMs = sum.cpuMs === null || r.cpuMs === null ? null : sum.cpuMs + r.cpuMs;
    }
  }
  return sums;
}

const rate = (l: Load) => l.updates / l.seconds;
// CPU per update barely depends on how busy the machine is, unlike updates/s.
const describe = (l: Load) =>
  `p50 ${l.p50} ms, p99 ${l.p99} ms${l.cpuMs === null ? '' : `, CPU ${(l.cpuMs / l.updates).toFixed(2)} ms/update`}`;

function float32Body(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i) * 0.5));
}

/** A model and a session of `shape` on the app; returns the session's path. */
async function createSession(app: ChildServer, shape: number[]): Promise<string> {
  const model = `bench-${shape.join('x')}`;
  const upload = await fetch(`${app.url}/model/${model}`, { method: 'PUT', headers: { 'x-amz-meta-name': model }, redirect: 'manual' });
  const stored = await fetch(upload.headers.get('location')!, { method: 'PUT', body: '{}' });
  if (!stored.ok) throw new Error(`model upload failed: ${stored.status}`);
  const res = await fetch(`${app.url}/model/${model}/session`, { method: 'PUT', body: JSON.stringify({ shape, alpha: 0.9 }) });
  const { id } = (await res.json()) as { id: string };
  return `/model/${model}/session/${id}`;
}

async function versionOf(app: ChildServer, session: string): Promise<number> {
  return Number((await fetch(`${app.url}${session}`, { method: 'HEAD' })).headers.get('x-session-version'));
}

export default async function sessionsBench(): Promise<BenchRow[]> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'webml-bench-sessions-'));
  const servers: ChildServer[] = [];
  try {
    const app = await startChildServer(dataDir);
    servers.push(app);
    const rows: BenchRow[] = [];

    for (const { params, shape, connections } of [
      { params: 1_000_000, shape: [1000, 1000], connections: 8 },
      { params: 100, shape: [100], connections: 64 },
    ]) {
      const bare = await spawnServer(bareScript, { PARAMS: String(params) });
      servers.push(bare);
      const session = await createSession(app, shape);
      const binary = Buffer.from(float32Body(params).buffer);
      const binaryHeaders = { 'Content-Type': 'application/octet-stream', 'X-Tensor-Shape': JSON.stringify(shape) };
      const json = Buffer.from(JSON.stringify({ shape, data: Array.from(float32Body(params)) }));
      const jsonHeaders = { 'Content-Type': 'application/json' };

      // Warm both up (JIT, SQLite pages) before measuring.
      await load(bare, '/', binary, binaryHeaders, connections, 1);
      await load(app, `${session}/weights`, binary, binaryHeaders, connections, 1);
      const before = await versionOf(app, session);
      const [bareRun, appRun] = await sideBySide([
        () => load(bare, '/', binary, binaryHeaders, connections, secondsPerRun),
        () => load(app, `${session}/weights`, binary, binaryHeaders, connections, secondsPerRun),
      ]);
      // Every acknowledged update must be in the session (a fast but lossy server would not count);
      // each run (the warm-up too) may also end with one unacknowledged request per connection in flight.
      const merged = (await versionOf(app, session)) - before;
      if (merged < appRun.updates || merged > appRun.updates + connections * (rounds + 1)) {
        throw new Error(`session version grew by ${merged}, but ${appRun.updates} updates were acknowledged`);
      }
      const size = params === 1_000_000 ? '1M' : String(params);
      rows.push({
        name: `POST weights, ${size} params float32, ${connections} clients`,
        value: rate(appRun),
        unit: 'updates/s',
        baselineName: 'bare node:http merge, no persistence',
        baselineValue: rate(bareRun),
        target: params === 1_000_000 ? { ratio: 0.5, better: 'higher' } : undefined,
        notes: `app ${describe(appRun)}; bare ${describe(bareRun)}`,
      });
      if (params === 1_000_000) {
        // A 20 MB JSON body takes ~0.3 s to parse: give the run time for several rounds of 8.
        const jsonRun = await load(app, `${session}/weights`, json, jsonHeaders, connections, 3 * secondsPerRun);
        rows.push({
          name: `POST weights, ${size} params JSON, ${connections} clients`,
          value: rate(jsonRun),
          unit: 'updates/s',
          baselineName: 'bare node:http merge, no persistence',
          baselineValue: rate(bareRun),
          notes: `${(json.byteLength / 1e6).toFixed(1)} MB bodies; ${describe(jsonRun)}`,
        });
      }
      await bare.stop();
    }
    return rows;
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
