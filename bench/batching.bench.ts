import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveBatchJob } from '../app/batching/batch-job.js';
import { runBatching } from '../app/batching/run-batching.js';
import type { ObjectStore } from '../app/storage/object-store.js';
import { postBatch, uploadDataset, uploadModel } from '../test/helpers/batch-uploads.js';
import { idxImages, idxLabels } from '../test/helpers/idx.js';
import { startTestServer, type TestServer } from '../test/helpers/server.js';
import { measureBatchingMemory } from './batching-memory.js';
import { measureRandomPick } from './batching-random.js';
import { measureStoreWrites } from './batching-store.js';
import type { Bench, BenchRow } from './report.js';

/**
 * Batching 60,000 MNIST-format images (47 MB) end to end (POST .../batch over HTTP, the
 * bundled idx-images/idx-labels parsers, embedded store) against Debian's native lua5.4
 * running the same two parsers over the same files with the same chunk size (the driver
 * and set-up of bench/parser.bench.ts). A second figure runs the same pipeline with store
 * writes dropped, to show how the time splits between parsing/cutting and the store (it
 * is the floor of the end-to-end figure), and the store writes alone (bench/batching-store.ts).
 * Then the server's RSS while it batches a 512 MiB dataset (bench/batching-memory.ts), and
 * the random pick with 100,000 batches (bench/batching-random.ts).
 */
const IMAGES = 60_000;
const CHUNK_BYTES = 64 * 1024;
const BATCH_SIZE = 32;
const ROUNDS = 3;
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rounded = (xs: number[]) => xs.map(Math.round).join('/');

async function timed(work: () => Promise<unknown> | unknown): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/** The store with writes and removals dropped: what batching costs apart from storing. */
function discardingStore(store: ObjectStore): ObjectStore {
  return {
    ...store,
    read: (key, range) => store.read(key, range),
    async write(_key, body) {
      const size = body instanceof Uint8Array ? body.byteLength : 0;
      return { size, etag: '"discarded"', lastModified: new Date(), contentType: 'application/octet-stream' };
    },
    async writeAll(objects) {
      return objects.map(() => '"discarded"');
    },
    async remove() {},
  };
}

async function endToEndRows(dir: string): Promise<BenchRow[]> {
  const labels = Array.from({ length: IMAGES }, (_, i) => i % 10);
  const imageFile = path.join(dir, 'train-images-idx3-ubyte');
  const labelFile = path.join(dir, 'train-labels-idx1-ubyte');
  writeFileSync(imageFile, idxImages(IMAGES, 28, 28));
  writeFileSync(labelFile, idxLabels(labels));
  const native = () => {
    for (const [parser, file] of [['idx-images', imageFile], ['idx-labels', labelFile]]) {
      execFileSync('lua5.4', [here('./parser-driver.lua'), here(`../lua/parsers/${parser}.lua`), file, String(CHUNK_BYTES)]);
    }
  };

  const server: TestServer = await startTestServer({ env: { PARSER_CHUNK_BYTES: String(CHUNK_BYTES), LUA_TIMEOUT_MS: '300000' } });
  try {
    const url = server.url;
    await uploadModel(url, 'mnist');
    // One dataset per round, so every timed run cuts a fresh set (no old set to remove).
    const ids = ['warmup', 'pipeline', ...Array.from({ length: ROUNDS }, (_, i) => `round-${i}`)];
    const images = idxImages(IMAGES, 28, 28);
    for (const id of ids) {
      await uploadDataset(url, 'mnist', 'data', id, [28, 28], 'idx-images', images);
      await uploadDataset(url, 'mnist', 'labels', id, [1], 'idx-labels', idxLabels(labels));
    }
    const fields = { data_parser: 'idx-images', label_parser: 'idx-labels', batch_size: BATCH_SIZE };
    const batchOverHttp = async (id: string) => {
      const res = await postBatch(url, 'mnist', id, fields);
      const body = await res.text();
      if (res.status !== 200) throw new Error(`POST batch ${id}: ${res.status} ${body}`);
    };
    await batchOverHttp('warmup');

    const endToEndMs: number[] = [];
    const nativeMs: number[] = [];
    const pipelineMs: number[] = [];
    const job = await resolveBatchJob(server.deps, { model: 'mnist', dataset: 'pipeline', dataParser: 'idx-images', labelParser: 'idx-labels', batchSize: BATCH_SIZE });
    for (let i = 0; i < ROUNDS; i++) {
      endToEndMs.push(await timed(() => batchOverHttp(`round-${i}`)));
      nativeMs.push(await timed(native));
      pipelineMs.push(await timed(() => runBatching({ ...server.deps, store: discardingStore(server.deps.store) }, job)));
    }
    const batches = Math.ceil(IMAGES / BATCH_SIZE);
    return [
      {
        name: `POST .../batch: ${IMAGES / 1000}k MNIST images (47 MB), batch_size ${BATCH_SIZE}, embedded store`,
        value: median(endToEndMs),
        unit: 'ms',
        baselineName: 'native lua5.4: idx-images + idx-labels, same files and chunks',
        baselineValue: median(nativeMs),
        target: { ratio: 2, better: 'lower' },
        notes: `ours ${rounded(endToEndMs)} ms, lua5.4 ${rounded(nativeMs)} ms; ${batches} batches = ${batches * 2} durable objects`,
      },
      {
        name: 'same batching in-process, store writes dropped (parse + pair + cut)',
        value: median(pipelineMs),
        unit: 'ms',
        baselineName: 'native lua5.4: idx-images + idx-labels, same files and chunks',
        baselineValue: median(nativeMs),
        notes: `runs ${rounded(pipelineMs)} ms: the floor of the row above (wasm Lua parses at ~3x native, bench/parser.bench.ts); the rest of the end-to-end time is the store`,
      },
    ];
  } finally {
    await server.close({ remove: true });
  }
}

const bench: Bench = async () => {
  execFileSync(here('./setup.sh'), { stdio: 'inherit' });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'webml-batching-bench-'));
  try {
    return [...(await endToEndRows(dir)), ...(await measureStoreWrites()), ...(await measureBatchingMemory()), ...(await measureRandomPick())];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

export default bench;
