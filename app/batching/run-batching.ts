import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { whenWritable } from '../../db/when-writable.js';
import { ParserError } from '../../lua/types.js';
import type { Deps } from '../env.js';
import { notFound, unprocessable } from '../errors.js';
import { batchRepo, type NewBatch } from '../repos/batches.js';
import { keys, type ObjectStore } from '../storage/object-store.js';
import type { BatchJob } from './batch-job.js';
import { BatchWriter } from './batch-writer.js';
import { cutBatches } from './cut-batches.js';
import { RecordLayout } from './record-layout.js';
import { RecordReader } from './record-reader.js';
import { lockBatchRun } from './run-lock.js';

export interface BatchingResult {
  batches: number;
  records: number;
}

type BatchDeps = Pick<Deps, 'db' | 'store' | 'lua' | 'config'>;

/**
 * Cuts the job's dataset into batches and swaps them in for the dataset's previous set.
 * New batches get fresh ids, so their objects are written beside the old set's; the index
 * switches in one transaction and only then are the old objects removed. A failed run
 * removes what it wrote and leaves the previous set as it was. 409 while a run of the same
 * dataset is going on.
 */
export async function runBatching(deps: BatchDeps, job: BatchJob): Promise<BatchingResult> {
  const release = lockBatchRun(deps.db, job.model, job.dataset, deps.config.MAX_BATCH_RUNS);
  try {
    return await batchUnderLock(deps, job);
  } finally {
    release();
  }
}

async function batchUnderLock({ db, store, lua, config }: BatchDeps, job: BatchJob): Promise<BatchingResult> {
  const { model, dataset } = job;
  // The dataset id is cut short so batch ids stay valid ids (<= 128 characters).
  const runPrefix = `${dataset.slice(0, 100)}-${randomBytes(6).toString('base64url')}`;
  const written: string[] = [];
  const rows: NewBatch[] = [];
  const streams: Readable[] = [];
  const readers: RecordReader[] = [];
  const writer = new BatchWriter(store);

  const open = async (kind: 'data' | 'labels') => {
    const stream = await store.read(keys.dataset(kind, model, dataset));
    if (!stream) throw notFound(`The ${kind} object of '${dataset}' is missing from the store.`, `${kind}_not_found`);
    streams.push(stream);
    const side = job[kind];
    const reader = new RecordReader(lua.run(side.parser, stream));
    readers.push(reader);
    return { reader, layout: new RecordLayout({ kind, id: dataset, parserId: side.parser.id, shape: side.shape }) };
  };

  let replaced: string[];
  try {
    const data = await open('data');
    const labels = await open('labels');
    for await (const batch of cutBatches(data, labels, job.batchSize)) {
      if (rows.length === config.MAX_BATCHES_PER_DATASET) {
        throw unprocessable(
          `'${dataset}' makes more than ${config.MAX_BATCHES_PER_DATASET} batches of ${job.batchSize} (MAX_BATCHES_PER_DATASET); raise batch_size.`,
          'too_many_batches',
        );
      }
      const id = `${runPrefix}-${rows.length}`;
      const dataKey = keys.batch(model, id, 'data');
      const labelKey = keys.batch(model, id, 'labels');
      written.push(dataKey, labelKey);
      rows.push({
        id,
        count: batch.count,
        dataShape: [batch.count, ...job.data.shape],
        labelShape: [batch.count, ...job.labels.shape],
        dataDtype: batch.dataDtype,
        labelDtype: batch.labelDtype,
        dataSize: batch.data.byteLength,
        labelSize: batch.labels.byteLength,
      });
      await writer.add(dataKey, batch.data);
      await writer.add(labelKey, batch.labels);
    }
    // Every object of the set is durable before the index points at any of them.
    await writer.finish();
    for (const row of rows) {
      row.dataEtag = writer.etag(keys.batch(model, row.id, 'data'));
      row.labelEtag = writer.etag(keys.batch(model, row.id, 'labels'));
    }
    if (rows.length === 0) {
      throw unprocessable(`Parsers '${job.data.parser.id}' and '${job.labels.parser.id}' returned no records for '${dataset}'.`, 'no_records');
    }
    replaced = await whenWritable(() => batchRepo(db).replaceDatasetBatches(model, dataset, rows));
  } catch (error) {
    await writer.settle();
    await removeQuietly(store, written);
    throw error instanceof ParserError ? unprocessable(error.message, 'parser_error') : error;
  } finally {
    await Promise.all(readers.map((r) => r.close().catch(() => undefined)));
    for (const stream of streams) stream.destroy();
  }

  await removeQuietly(store, replaced.flatMap((id) => [keys.batch(model, id, 'data'), keys.batch(model, id, 'labels')]));
  return { batches: rows.length, records: rows.reduce((sum, r) => sum + r.count, 0) };
}

/** Best-effort removal: a leftover object is unreachable garbage, not a failed request. */
async function removeQuietly(store: ObjectStore, objectKeys: string[]): Promise<void> {
  try {
    await store.remove(objectKeys);
  } catch (error) {
    console.error('[batching] could not remove objects; they are unreferenced and safe to delete', error);
  }
}
