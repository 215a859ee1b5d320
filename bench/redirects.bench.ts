import { serve } from '@hono/node-server';
import autocannon from 'autocannon';
import { Hono } from 'hono';
import { fork, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { AppEnv } from '../app/env.js';
import type { Bench, BenchRow } from './report.js';

/**
 * `GET /model/:id` redirects per second and p99 latency, on the embedded store and on
 * s3rver, beside a bare Hono route answering a constant 307. Each server runs in its own
 * child process (so autocannon does not share its event loop) behind @hono/node-server;
 * the app runs with its whole middleware stack and default request logging (to /dev/null).
 * Server CPU per request is printed too: req/s of the bare route is capped by autocannon
 * itself (one of the two cores), and the machine is shared, so req/s ratios wander.
 * A third server, the floor, is the bare route plus only the request log and CORS headers
 * every answer of the app carries: how far the app sits above it is the cost of the rest.
 */
const CONNECTIONS = 50;
const SECONDS = 3;
const ROUNDS = 3;
const WARMUP_SECONDS = 1;
const TARGET = 0.7;

/** What the bare route and the floor answer: a URL as long as a signed one. */
const bareLocation = 'http://127.0.0.1:9000/webml/models/bench?X-Amz-Signature=0123456789abcdef';

type ChildKind = 'bare' | 'floor' | 'embedded' | 'minio';
type Ready = { port: number };

// ---- child side: started by fork() with WEBML_REDIRECT_BENCH set ----

async function runChild(kind: ChildKind) {
  const url = kind === 'bare' ? await startBare() : kind === 'floor' ? await startFloor() : await startApp(kind);
  // The parent asks for this process's CPU time around each load run.
  process.on('message', () => process.send!(process.cpuUsage()));
  process.send!({ port: Number(new URL(url).port) } satisfies Ready);
}

/** Serves `fetch` the way app/main.ts does: passed on as is, so the app sees the Node request. */
async function serveFetch(fetch: (request: Request, env?: unknown) => Response | Promise<Response>): Promise<string> {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The least a Hono app on @hono/node-server can do for this request: a constant 307. */
async function startBare(): Promise<string> {
  const app = new Hono();
  app.get('/model/:id', (c) => c.redirect(bareLocation, 307));
  return serveFetch(app.fetch);
}

/**
 * The bare route plus only what every answer of the app must carry: the request log line
 * (our logger, at the default level) and the CORS headers (our step). Where the app's
 * figure sits between this floor and the bare route shows what the rest of it costs.
 */
async function startFloor(): Promise<string> {
  const { corsHeaders } = await import('../app/cors.js');
  const { createLogger, logRequests } = await import('../app/request-log.js');
  const cors = corsHeaders({ origins: ['*'], allowMethods: ['GET'], allowHeaders: [], exposeHeaders: ['*'], maxAgeSeconds: 600 });
  const app = new Hono<AppEnv>();
  app.use('*', logRequests(createLogger('info')));
  // Not async, like the app's front door.
  app.use('*', (c, next) => {
    const preflight = cors(c);
    return preflight ? Promise.resolve(preflight) : next();
  });
  app.get('/model/:id', (c) => c.redirect(bareLocation, 307));
  return serveFetch(app.fetch);
}

/**
 * The real app holding one uploaded model. The test server helper sets up the data dir
 * (and s3rver for 'minio') and takes the upload; the load goes to a second server on the
 * same deps, wired like main.ts (the helper wraps fetch, which hides the Node request).
 */
async function startApp(storage: 'embedded' | 'minio'): Promise<string> {
  const { startTestServer } = await import('../test/helpers/server.js');
  const server = await startTestServer({ storage, env: { LOG_LEVEL: 'info' } });
  // The parent stops children with SIGTERM: leave no temp data dir behind.
  process.once('SIGTERM', () => void server.close({ remove: true }).finally(() => process.exit(0)));
  const put = await fetch(`${server.url}/model/bench`, {
    method: 'PUT',
    headers: { 'x-amz-meta-name': 'bench' },
    body: new Blob([JSON.stringify({ modelTopology: {} })]),
  });
  if (put.status !== 200) throw new Error(`upload failed: ${put.status} ${await put.text()}`);
  // The first read confirms the upload; every request measured after it is the steady state.
  const first = await fetch(`${server.url}/model/bench`, { redirect: 'manual' });
  if (first.status !== 307) throw new Error(`GET /model/bench answered ${first.status}`);
  const { createApp } = await import('../app/app.js');
  return serveFetch(createApp(server.deps).fetch);
}

if (process.env.WEBML_REDIRECT_BENCH) await runChild(process.env.WEBML_REDIRECT_BENCH as ChildKind);

// ---- parent side ----

interface Measured {
  rps: number;
  p99: number;
  /** Server CPU time (user + system) per request: steadier than req/s on a shared machine. */
  cpuUs: number;
}

interface Child {
  url: string;
  cpuMicros(): Promise<number>;
  stop(): void;
}

async function startChild(kind: ChildKind): Promise<Child> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, WEBML_REDIRECT_BENCH: kind },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  try {
    const { port } = await new Promise<Ready>((resolve, reject) => {
      child.once('message', (msg: Ready) => resolve(msg));
      child.once('exit', (code) => reject(new Error(`${kind} server exited (${code}) before it was ready`)));
    });
    const cpuMicros = () =>
      new Promise<number>((resolve) => {
        child.once('message', (used: NodeJS.CpuUsage) => resolve(used.user + used.system));
        child.send('cpu');
      });
    return { url: `http://127.0.0.1:${port}/model/bench`, cpuMicros, stop: () => child.kill() };
  } catch (err) {
    child.kill();
    throw err;
  }
}

async function load({ url, cpuMicros }: Child, seconds: number): Promise<Measured> {
  const cpuBefore = await cpuMicros();
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds });
  const cpuUs = ((await cpuMicros()) - cpuBefore) / result.requests.total;
  const answered = result.statusCodeStats?.['307']?.count ?? 0;
  // A figure only counts if every request got the redirect (no errors, no other status).
  if (result.errors > 0 || answered !== result.requests.total) {
    throw new Error(`${url}: ${answered} of ${result.requests.total} requests got a 307, ${result.errors} errors`);
  }
  return { rps: result.requests.average, p99: result.latency.p99, cpuUs };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * All three servers run side by side (idle while another is loaded); rounds alternate
 * between them and each figure is the median of its rounds, so a burst of other work on a
 * shared machine lands on one round of one server rather than on a whole figure.
 */
const bench: Bench = async () => {
  const kinds = ['bare', 'floor', 'embedded', 'minio'] as const;
  const children: Partial<Record<ChildKind, Child>> = {};
  try {
    for (const kind of kinds) children[kind] = await startChild(kind);
    for (const kind of kinds) await load(children[kind]!, WARMUP_SECONDS);
    const runs: Record<ChildKind, Measured[]> = { bare: [], floor: [], embedded: [], minio: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const kind of kinds) runs[kind].push(await load(children[kind]!, SECONDS));
    }
    const figure = (kind: ChildKind): Measured => ({
      rps: median(runs[kind].map((r) => r.rps)),
      p99: median(runs[kind].map((r) => r.p99)),
      cpuUs: median(runs[kind].map((r) => r.cpuUs)),
    });
    const conditions = `${CONNECTIONS} connections, median of ${ROUNDS} x ${SECONDS} s`;
    const floorRow: BenchRow = {
      name: 'GET /model/:id redirects (embedded) vs the log-and-CORS floor',
      value: figure('embedded').rps,
      unit: 'req/s',
      baselineName: 'bare Hono 307 + request log + CORS',
      baselineValue: figure('floor').rps,
      notes: `${conditions}; floor ${figure('floor').cpuUs.toFixed(1)} us server CPU per request`,
    };
    return [...rows('embedded', figure('embedded'), figure('bare')), floorRow, ...rows('s3rver', figure('minio'), figure('bare'))];
  } finally {
    for (const child of Object.values(children)) child.stop();
  }
};

function rows(label: string, app: Measured, bare: Measured): BenchRow[] {
  const baselineName = 'bare Hono 307';
  const conditions = `${CONNECTIONS} connections, median of ${ROUNDS} x ${SECONDS} s`;
  return [
    {
      name: `GET /model/:id redirects (${label})`,
      value: app.rps,
      unit: 'req/s',
      baselineName,
      baselineValue: bare.rps,
      target: { ratio: TARGET, better: 'higher' },
      notes: conditions,
    },
    { name: `GET /model/:id p99 latency (${label})`, value: app.p99, unit: 'ms', baselineName, baselineValue: bare.p99, notes: conditions },
    {
      name: `GET /model/:id server CPU per request (${label})`,
      value: app.cpuUs,
      unit: 'us',
      baselineName,
      baselineValue: bare.cpuUs,
      // The throughput target restated as CPU: at most 1/0.7 of the bare route's cost.
      target: { ratio: 1 / TARGET, better: 'lower' },
      notes: conditions,
    },
  ];
}

export default bench;
