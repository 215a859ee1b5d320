import { serve } from '@hono/node-server';
import { fork, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { Bench, BenchRow } from './report.js';

/**
 * Memory of a large upload through the embedded store: the app runs in a child process
 * that samples its own RSS every 5 ms; the parent streams bodies generated on the fly to
 * it through `PUT /model/:id`'s redirect, after one warm-up upload. The baseline is a bare node:http server in its
 * own child piping the body to a file: the least any Node server streaming to disk costs.
 * Two sizes show whether growth follows the body size (buffering) or stays flat (streaming).
 */
const SIZES_MIB = [64, 256];
const MiB = 1024 * 1024;

type ChildKind = 'app' | 'bare';
type ToChild = { type: 'reset' } | { type: 'peak' };
type FromChild = { type: 'ready'; port: number } | { type: 'reset'; rss: number } | { type: 'peak'; rss: number };

// ---- child side: started by fork() with WEBML_BENCH_CHILD set ----

async function runChild(kind: ChildKind, dataDir: string) {
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  sampler.unref();
  const port = kind === 'app' ? await startApp(dataDir) : await startBare(dataDir);
  process.on('message', (msg: ToChild) => {
    if (msg.type === 'reset') {
      // No forced GC: after the warm-up the heap sits at its streaming steady state, so
      // growth from here is what the upload holds beyond it (a buffered body would show).
      peak = process.memoryUsage.rss();
      process.send!({ type: 'reset', rss: peak } satisfies FromChild);
    } else {
      process.send!({ type: 'peak', rss: Math.max(peak, process.memoryUsage.rss()) } satisfies FromChild);
    }
  });
  process.send!({ type: 'ready', port } satisfies FromChild);
}

async function startApp(dataDir: string): Promise<number> {
  const [{ createApp }, { loadConfig }, { openDeps }] = await Promise.all([
    import('../app/app.js'),
    import('../app/config.js'),
    import('../app/deps.js'),
  ]);
  let app: ReturnType<typeof createApp> | null = null;
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: (req) => app!.fetch(req), port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const config = loadConfig({ DATA_DIR: dataDir, PUBLIC_URL: `http://127.0.0.1:${port}`, PORT: String(port), LOG_LEVEL: 'silent' });
  app = createApp(await openDeps(config));
  return port;
}

async function startBare(dataDir: string): Promise<number> {
  let n = 0;
  const server = http.createServer((req, res) => {
    pipeline(req, createWriteStream(path.join(dataDir, `upload-${n++}`))).then(
      () => res.end(),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

if (process.env.WEBML_BENCH_CHILD) await runChild(process.env.WEBML_BENCH_CHILD as ChildKind, process.env.WEBML_BENCH_DIR!);

// ---- parent side ----

/** A body of `bytes` made 1 MiB at a time as it is read: the parent never holds it whole. */
function generatedBody(bytes: number): Readable {
  let made = 0;
  return new Readable({
    read() {
      if (made >= bytes) return this.push(null);
      const piece = Buffer.alloc(Math.min(MiB, bytes - made), made / MiB);
      made += piece.length;
      this.push(piece);
    },
  });
}

function put(url: string, body: Readable | null, headers: Record<string, string> = {}): Promise<http.IncomingMessage & { text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'PUT', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d) => (text += d)).on('end', () => resolve(Object.assign(res, { text })));
    });
    req.on('error', reject);
    if (body) body.pipe(req);
    else req.end();
  });
}

class Child {
  private readonly proc: ChildProcess;
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'webml-upload-bench-'));
  private waiting: ((msg: FromChild) => void) | null = null;
  port = 0;

  constructor(readonly kind: ChildKind) {
    this.proc = fork(fileURLToPath(import.meta.url), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, WEBML_BENCH_CHILD: kind, WEBML_BENCH_DIR: this.dir },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    this.proc.on('message', (msg: FromChild) => this.waiting?.(msg));
  }

  private next(send?: ToChild): Promise<FromChild> {
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.proc.once('exit', (code) => reject(new Error(`${this.kind} child exited (${code})`)));
      if (send) this.proc.send(send);
    });
  }

  async start() {
    const ready = await this.next();
    if (ready.type !== 'ready') throw new Error(`unexpected ${ready.type} from ${this.kind} child`);
    this.port = ready.port;
  }

  /** Uploads `bytes`; returns the child's RSS before, its peak growth over that, and the throughput. */
  async measure(bytes: number, id: string): Promise<{ idleMiB: number; growthMiB: number; mibPerSecond: number }> {
    const base = await this.next({ type: 'reset' });
    const started = performance.now();
    if (this.kind === 'app') {
      const answer = await put(`http://127.0.0.1:${this.port}/model/${id}`, null, { 'x-amz-meta-name': id });
      if (answer.statusCode !== 307) throw new Error(`PUT /model/${id}: ${answer.statusCode} ${answer.text}`);
      const stored = await put(answer.headers.location!, generatedBody(bytes));
      if (stored.statusCode !== 200) throw new Error(`signed PUT: ${stored.statusCode} ${stored.text}`);
    } else {
      const stored = await put(`http://127.0.0.1:${this.port}/upload`, generatedBody(bytes));
      if (stored.statusCode !== 200) throw new Error(`bare PUT: ${stored.statusCode}`);
    }
    const seconds = (performance.now() - started) / 1000;
    const peak = await this.next({ type: 'peak' });
    if (base.type !== 'reset' || peak.type !== 'peak') throw new Error(`unexpected answers from the ${this.kind} child`);
    return { idleMiB: base.rss / MiB, growthMiB: (peak.rss - base.rss) / MiB, mibPerSecond: bytes / MiB / seconds };
  }

  stop() {
    this.proc.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const bench: Bench = async () => {
  const app = new Child('app');
  const bare = new Child('bare');
  try {
    await Promise.all([app.start(), bare.start()]);
    // Warm both paths (JIT, lazily loaded modules, the heap's steady state) before measuring.
    await app.measure(SIZES_MIB[0] * MiB, 'warmup');
    await bare.measure(SIZES_MIB[0] * MiB, 'warmup');
    const rows: BenchRow[] = [];
    let largest = { idleMiB: 0, growthMiB: 0, mibPerSecond: 0 };
    for (const mib of SIZES_MIB) {
      const ours = await app.measure(mib * MiB, `upload-${mib}`);
      const baseline = await bare.measure(mib * MiB, `upload-${mib}`);
      largest = ours;
      rows.push({
        // Both growths are a few MiB when streaming, so their ratio is noise; no target here.
        name: `PUT ${mib} MiB via redirect: server RSS growth (embedded)`,
        value: ours.growthMiB,
        unit: 'MiB',
        baselineName: 'bare node:http pipe to file',
        baselineValue: baseline.growthMiB,
        notes: `throughput ${ours.mibPerSecond.toFixed(0)} vs ${baseline.mibPerSecond.toFixed(0)} MiB/s (ours fsyncs)`,
      });
    }
    const mib = SIZES_MIB[SIZES_MIB.length - 1];
    rows.push({
      // Buffering the body would add its whole size (here far more than the idle RSS).
      name: `PUT ${mib} MiB via redirect: server peak RSS (embedded)`,
      value: largest.idleMiB + largest.growthMiB,
      unit: 'MiB',
      baselineName: 'same server idle, just before',
      baselineValue: largest.idleMiB,
      target: { ratio: 1.25, better: 'lower' },
    });
    return rows;
  } finally {
    app.stop();
    bare.stop();
  }
};

export default bench;
