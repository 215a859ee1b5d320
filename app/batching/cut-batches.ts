import { unprocessable } from '../errors.js';
import { ByteBatch } from './byte-batch.js';
import type { Dtype } from '../../lua/types.js';
import type { RecordLayout } from './record-layout.js';
import type { RecordReader } from './record-reader.js';

/** Largest data or labels object of one batch: bounds the memory a run holds. */
export const maxBatchBytes = 64 * 1024 * 1024;

export interface CutBatch {
  count: number;
  data: Buffer;
  labels: Buffer;
  dataDtype: Dtype;
  labelDtype: Dtype;
}

interface Side {
  reader: RecordReader;
  layout: RecordLayout;
}

/**
 * Pairs record i of data with record i of labels and yields batches of `batchSize` pairs
 * (the last may be short). Throws a 422 when the two parsers disagree on the record count.
 */
export async function* cutBatches(data: Side, labels: Side, batchSize: number): AsyncGenerator<CutBatch> {
  for (;;) {
    let dataBytes: ByteBatch | null = null;
    let labelBytes: ByteBatch | null = null;
    let count = 0;
    while (count < batchSize) {
      const ready = Math.min(await data.reader.available(), await labels.reader.available(), batchSize - count);
      if (ready === 0) {
        await checkBothEnded(data, labels);
        break;
      }
      dataBytes = takeInto(data, dataBytes, ready, batchSize);
      labelBytes = takeInto(labels, labelBytes, ready, batchSize);
      count += ready;
    }
    if (count === 0) return;
    yield {
      count,
      data: dataBytes!.bytes(),
      labels: labelBytes!.bytes(),
      dataDtype: data.layout.dtype!,
      labelDtype: labels.layout.dtype!,
    };
    if (count < batchSize) return;
  }
}

/** Moves the next `n` records of a side (one run, checked against its layout) into its batch, started on first use. */
function takeInto(side: Side, batch: ByteBatch | null, n: number, batchSize: number): ByteBatch {
  const { reader, layout } = side;
  layout.check(reader.dtype, reader.recordBytes, reader.count);
  batch ??= startBatch(side, reader.recordBytes, batchSize);
  batch.append(reader.take(n));
  return batch;
}

function startBatch(side: Side, recordBytes: number, batchSize: number): ByteBatch {
  if (recordBytes * batchSize > maxBatchBytes) {
    const most = Math.max(1, Math.floor(maxBatchBytes / recordBytes));
    throw unprocessable(
      `batch_size ${batchSize} with ${recordBytes}-byte ${side.layout.source.kind} records makes batches over ${maxBatchBytes / 2 ** 20} MiB; use batch_size <= ${most}.`,
      'batch_too_large',
    );
  }
  // Grow on demand: a huge batch_size over a small dataset should not allocate up front.
  return new ByteBatch(recordBytes * Math.min(batchSize, 1024));
}

/** Once one parser is done, the other must be too; otherwise a 422 with both record counts. */
async function checkBothEnded(data: Side, labels: Side): Promise<void> {
  if ((await data.reader.available()) === 0 && (await labels.reader.available()) === 0) return;
  const dataCount = await data.reader.drain();
  const labelCount = await labels.reader.drain();
  const { id } = data.layout.source;
  throw unprocessable(
    `Data parser '${data.layout.source.parserId}' returned ${dataCount} records for '${id}' but label parser '${labels.layout.source.parserId}' returned ${labelCount}; data and labels must pair one to one.`,
    'record_count_mismatch',
  );
}
