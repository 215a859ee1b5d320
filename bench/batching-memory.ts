import { serve } from '@hono/node-server';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { idxLabels } from '../test/helpers/idx.js';
import type { BenchRow } from './report.js';

/**
 * The server's RSS while it batches a 512 MiB IDX dataset, beside the same server batching
 * 32 MiB: streaming keeps the growth flat; buffering would follow the dataset size. A second
 * row batches 8M tiny records (2x4-pixel images, 1-byte labels): the record count, not the
 * byte count, is what per-record objects would grow with. The app runs in a child process
 * sampling its own RSS every 5 ms (as in upload-memory.bench).
 */
const MiB = 1024 * 1024;
const SIZES_MIB = [32, 512];
const BUDGET_MIB = 150;
const BATCH_SIZE = 1024;
const MNIST = { rows: 28, cols: 28 };
const TINY = { rows: 2, cols: 4 };
const TINY_RECORDS = 8_000_000;

interface ImageSize {
  rows: number;
  cols: number;
}

type ToChild = { type: 'reset' } | { type: 'peak' };
type FromChild = { type: 'ready'; port: number } | { type: 'rss'; rss: number };

// ---- child side: forked with WEBML_BATCH_BENCH_DIR set ----

async function runChild(dataDir: string) {
  let peak = 0;
  setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5).unref();
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
  const env = { DATA_DIR: dataDir, PUBLIC_URL: `http://127.0.0.1:${port}`, PORT: String(port), LOG_LEVEL: 'silent', LUA_TIMEOUT_MS: '600000' };
  app = createApp(await openDeps(loadConfig(env)));
  process.on('message', (msg: ToChild) => {
    if (msg.type === 'reset') peak = process.memoryUsage.rss();
    process.send!({ type: 'rss', rss: Math.max(peak, process.memoryUsage.rss()) } satisfies FromChild);
  });
  process.send!({ type: 'ready', port } satisfies FromChild);
}

if (process.env.WEBML_BATCH_BENCH_DIR) await runChild(process.env.WEBML_BATCH_BENCH_DIR);

// ---- parent side ----

/** An IDX image file of `count` images, made 1 MiB at a time as it is read. */
function generatedImages(count: number, { rows, cols }: ImageSize): Readable {
  const imageBytes = rows * cols;
  const ramp = Uint8Array.from({ length: 256 + imageBytes }, (_, i) => i & 255);
  const perPiece = Math.floor(MiB / imageBytes);
  let next = 0;
  let headerSent = false;
  return new Readable({
    read() {
      if (!headerSent) {
        headerSent = true;
        const header = Buffer.alloc(16);
        header.writeUInt32BE(0x803, 0);
        header.writeUInt32BE(count, 4);
        header.writeUInt32BE(rows, 8);
        header.writeUInt32BE(cols, 12);
        this.push(header);
      }
      if (next >= count) return void this.push(null);
      const n = Math.min(perPiece, count - next);
      const piece = Buffer.allocUnsafe(n * imageBytes);
      for (let i = 0; i < n; i++) piece.set(ramp.subarray((next + i) & 255, ((next + i) & 255) + imageBytes), i * imageBytes);
      next += n;
      this.push(piece);
    },
  });
}

function request(method: string, url: string, body: Readable | string | null, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; location?: string; text: string }>((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d) => (text += d)).on('end', () => resolve({ status: res.statusCode!, location: res.headers.location, text }));
    });
    req.on('error', reject);
    if (body instanceof Readable) body.pipe(req);
    else req.end(body ?? undefined);
  });
}

/** PUT to an upload route, then the body streamed to the signed URL it redirects to. */
async function upload(url: string, headers: Record<string, string>, body: () => Readable | string) {
  const answer = await request('PUT', url, null, headers);
  if (answer.status !== 307) throw new Error(`PUT ${url}: ${answer.status} ${answer.text}`);
  const stored = await request('PUT', answer.location!, body());
  if (stored.status >= 300) throw new Error(`signed PUT for ${url}: ${stored.status} ${stored.text}`);
}

class ServerChild {
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'webml-batching-memory-'));
  private readonly proc: ChildProcess;
  private waiting: { resolve: (msg: FromChild) => void; reject: (error: Error) => void } | null = null;
  base = '';

  constructor() {
    this.proc = fork(fileURLToPath(import.meta.url), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, WEBML_BATCH_BENCH_DIR: this.dir },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    this.proc.on('message', (msg: FromChild) => this.waiting?.resolve(msg));
    this.proc.on('exit', (code) => this.waiting?.reject(new Error(`server child exited (${code})`)));
  }

  next(send?: ToChild): Promise<FromChild> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      if (send) this.proc.send(send);
    });
  }

  async start() {
    const ready = await this.next();
    if (ready.type !== 'ready') throw new Error('server child did not start');
    this.base = `http://127.0.0.1:${ready.port}`;
    await upload(`${this.base}/model/m`, { 'x-amz-meta-name': 'm' }, () => '{}');
  }

  /** Uploads `count` images with labels, batches them, and returns the RSS growth while batching. */
  async batch(count: number, image: ImageSize): Promise<{ growthMiB: number; idleMiB: number; seconds: number }> {
    const id = `d${count}-${image.rows}x${image.cols}`;
    const shape = JSON.stringify([image.rows, image.cols]);
    await upload(`${this.base}/model/m/data/${id}`, { 'x-amz-meta-shape': shape, 'x-amz-meta-parser': 'idx-images' }, () => generatedImages(count, image));
    const labels = Buffer.from(idxLabels(Array.from({ length: count }, (_, i) => i % 10)));
    await upload(`${this.base}/model/m/labels/${id}`, { 'x-amz-meta-shape': '[1]', 'x-amz-meta-parser': 'idx-labels' }, () => Readable.from([labels]));
    const before = await this.next({ type: 'reset' });
    const started = performance.now();
    const form = `data_parser=idx-images&label_parser=idx-labels&batch_size=${BATCH_SIZE}`;
    const answer = await request('POST', `${this.base}/model/m/data/${id}/batch`, form, { 'Content-Type': 'application/x-www-form-urlencoded' });
    if (answer.status !== 200) throw new Error(`batching ${id}: ${answer.status} ${answer.text}`);
    const seconds = (performance.now() - started) / 1000;
    const peak = await this.next({ type: 'peak' });
    if (before.type !== 'rss' || peak.type !== 'rss') throw new Error('unexpected answer from the server child');
    return { growthMiB: (peak.rss - before.rss) / MiB, idleMiB: before.rss / MiB, seconds };
  }

  stop() {
    this.proc.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const mnistImages = (mib: number) => Math.floor((mib * MiB) / (MNIST.rows * MNIST.cols));

/** Rows: RSS growth batching 512 MiB beside 32 MiB, and 8M tiny records, in one server child. */
export async function measureBatchingMemory(): Promise<BenchRow[]> {
  const child = new ServerChild();
  try {
    await child.start();
    await child.batch(mnistImages(8), MNIST); // warm-up: JIT, parser workers, the heap's steady state
    const small = await child.batch(mnistImages(SIZES_MIB[0]), MNIST);
    const large = await child.batch(mnistImages(SIZES_MIB[1]), MNIST);
    const tiny = await child.batch(TINY_RECORDS, TINY);
    const verdict = (growth: number) => (growth < BUDGET_MIB ? 'ok' : 'MISS');
    const tinyMiB = (TINY_RECORDS * (TINY.rows * TINY.cols + 1)) / MiB;
    return [
      {
        name: `POST .../batch ${SIZES_MIB[1]} MiB (batch_size ${BATCH_SIZE}): server RSS growth`,
        value: large.growthMiB,
        unit: 'MiB',
        baselineName: `same server batching ${SIZES_MIB[0]} MiB`,
        baselineValue: small.growthMiB,
        notes: `budget < ${BUDGET_MIB} MiB: ${verdict(large.growthMiB)}; idle RSS ${large.idleMiB.toFixed(0)} MiB; ${(SIZES_MIB[1] / large.seconds).toFixed(0)} vs ${(SIZES_MIB[0] / small.seconds).toFixed(0)} MiB/s`,
      },
      {
        name: `POST .../batch ${TINY_RECORDS / 1e6}M records of 8 + 1 bytes (${tinyMiB.toFixed(0)} MiB, batch_size ${BATCH_SIZE}): server RSS growth`,
        value: tiny.growthMiB,
        unit: 'MiB',
        baselineName: `same server batching ${SIZES_MIB[0]} MiB`,
        baselineValue: small.growthMiB,
        notes: `budget < ${BUDGET_MIB} MiB: ${verdict(tiny.growthMiB)}; ${(TINY_RECORDS / 1e6 / tiny.seconds).toFixed(2)}M records/s`,
      },
    ];
  } finally {
    child.stop();
  }
}
