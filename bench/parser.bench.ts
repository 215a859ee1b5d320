import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLuaRunner } from '../lua/runner.js';
import { idxImages } from '../test/helpers/idx.js';
import type { Bench, BenchRow } from './report.js';

/**
 * The parser runner alone (wasm Lua in a worker, records crossing to the main thread)
 * against Debian's native lua5.4 running the same idx-images.lua over the same 47 MB
 * MNIST-format file with the same chunk size. Median of five warm runs each.
 */
const IMAGES = 60_000;
const CHUNK_BYTES = 64 * 1024;
const READ_BYTES = 1024 * 1024;
const ROUNDS = 5;
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const parserPath = here('../lua/parsers/idx-images.lua');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed<T>(work: () => Promise<T> | T): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await work();
  return { ms: performance.now() - started, result };
}

const bench: Bench = async () => {
  execFileSync(here('./setup.sh'), { stdio: 'inherit' });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'webml-parser-bench-'));
  const file = path.join(dir, 'train-images-idx3-ubyte');
  writeFileSync(file, idxImages(IMAGES, 28, 28));
  const runner = createLuaRunner({ LUA_TIMEOUT_MS: 60_000, LUA_MEMORY_MB: 256, PARSER_CHUNK_BYTES: CHUNK_BYTES });
  const source = await import('node:fs/promises').then((fs) => fs.readFile(parserPath, 'utf8'));

  const viaRunner = async () => {
    let count = 0;
    let bytes = 0;
    // The runner re-cuts its input into CHUNK_BYTES chunks whatever the read size.
    const input = createReadStream(file, { highWaterMark: READ_BYTES });
    for await (const block of runner.run({ id: 'idx-images', source }, input)) {
      for (let run = 0; run < block.runCount; run++) count += block.runLength(run);
      bytes += block.bytes.length;
    }
    return `${count}\t${bytes}`;
  };
  const native = () => execFileSync('lua5.4', [here('./parser-driver.lua'), parserPath, file, String(CHUNK_BYTES)]).toString().trim();

  try {
    const cold = await timed(viaRunner);
    await viaRunner(); // the worker's JIT and wasm tiers warm up over the first runs
    const expected = `${IMAGES}\t${IMAGES * 784}`;
    const runnerMs: number[] = [];
    const nativeMs: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const a = await timed(viaRunner);
      const b = await timed(native);
      if (a.result !== expected || b.result !== expected) {
        throw new Error(`record counts disagree: runner ${a.result}, lua5.4 ${b.result}, expected ${expected}`);
      }
      runnerMs.push(a.ms);
      nativeMs.push(b.ms);
    }
    const row: BenchRow = {
      name: 'idx-images.lua over 60k images (47 MB), parser runner only',
      value: median(runnerMs),
      unit: 'ms',
      baselineName: 'native lua5.4, same parser and chunks',
      baselineValue: median(nativeMs),
      target: { ratio: 2, better: 'lower' },
      notes: `runner ${runnerMs.map(Math.round).join('/')} ms, lua5.4 ${nativeMs.map(Math.round).join('/')} ms, first run (cold worker) ${Math.round(cold.ms)} ms`,
    };
    return [row];
  } finally {
    await runner.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

export default bench;
