import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BatchWriter } from '../app/batching/batch-writer.js';
import { WritePool } from '../app/batching/write-pool.js';
import type { ObjectStore } from '../app/storage/object-store.js';
import { startTestServer } from '../test/helpers/server.js';
import type { BenchRow } from './report.js';

/**
 * The store side of batching 60k MNIST images by 32 alone: its 1,875 data objects (25 KB)
 * and 1,875 labels objects (32 B) written the way a batching run writes them (BatchWriter:
 * groups, one writeAll each) against one durable `write` per object, 8 batches at a time
 * (how runs wrote before). Both on the embedded store, alternating, median of the rounds.
 * The notes add the floor under both: merely creating that many empty files and folders
 * (no data, no fsync) on the same disk, since the embedded store makes one folder per batch.
 */
const BATCHES = 1875;
const ROUNDS = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function batchObjects(round: string) {
  const data = new Uint8Array(32 * 784).fill(7);
  const labels = new Uint8Array(32).fill(1);
  return Array.from({ length: BATCHES }, (_, i) => ({
    data: { key: `batches/store-bench/${round}-${i}/data`, body: data },
    labels: { key: `batches/store-bench/${round}-${i}/labels`, body: labels },
  }));
}

type Batches = ReturnType<typeof batchObjects>;

async function grouped(store: ObjectStore, batches: Batches): Promise<void> {
  const writer = new BatchWriter(store);
  for (const { data, labels } of batches) {
    await writer.add(data.key, data.body);
    await writer.add(labels.key, labels.body);
  }
  await writer.finish();
}

async function onePerObject(store: ObjectStore, batches: Batches): Promise<void> {
  const pool = new WritePool(8, 32 * 1024 * 1024);
  for (const { data, labels } of batches) {
    await pool.add(data.body.byteLength + labels.body.byteLength, () => Promise.all([store.write(data.key, data.body), store.write(labels.key, labels.body)]));
  }
  await pool.drain();
}

/** Creates a folder per batch holding two empty files, as fast as synchronous calls go. */
function creationFloor(): number {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'webml-create-floor-'));
  try {
    const started = performance.now();
    for (let i = 0; i < BATCHES; i++) {
      mkdirSync(path.join(dir, `b${i}`));
      writeFileSync(path.join(dir, `b${i}`, 'data'), '');
      writeFileSync(path.join(dir, `b${i}`, 'labels'), '');
    }
    return performance.now() - started;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Row: grouped batch writes beside one durable write per object. */
export async function measureStoreWrites(): Promise<BenchRow[]> {
  const server = await startTestServer();
  const store = server.deps.store;
  const timing = { grouped: [] as number[], onePerObject: [] as number[], floor: [] as number[] };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, write] of [['grouped', grouped], ['onePerObject', onePerObject]] as const) {
        const batches = batchObjects(`${name}-${round}`);
        const started = performance.now();
        await write(store, batches);
        timing[name].push(performance.now() - started);
        await store.remove(batches.flatMap((b) => [b.data.key, b.labels.key]));
      }
      timing.floor.push(creationFloor());
    }
  } finally {
    await server.close({ remove: true });
  }
  return [
    {
      name: `store writes alone: ${BATCHES} batches (${BATCHES * 2} objects) in groups, one sync pass each`,
      value: median(timing.grouped),
      unit: 'ms',
      baselineName: 'one durable write per object, 8 batches at a time',
      baselineValue: median(timing.onePerObject),
      notes: `grouped ${timing.grouped.map(Math.round).join('/')} ms, per object ${timing.onePerObject.map(Math.round).join('/')} ms; floor: creating ${BATCHES} folders + ${BATCHES * 2} empty files alone ${Math.round(median(timing.floor))} ms`,
    },
  ];
}
