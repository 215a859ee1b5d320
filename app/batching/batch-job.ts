import type { ParserScript } from '../../lua/types.js';
import type { Deps } from '../env.js';
import { notFound, unprocessable } from '../errors.js';
import { datasetUploads } from '../repos/dataset-uploads.js';
import { parserUploads } from '../repos/named-uploads.js';
import { requireModel, requireReady } from '../routes/upload-status.js';
import { keys, type ObjectStore } from '../storage/object-store.js';

/** Parser scripts are source text; anything bigger is not a parser. */
const maxParserBytes = 1024 * 1024;

export interface BatchRequest {
  model: string;
  dataset: string;
  dataParser: string;
  labelParser: string;
  batchSize: number;
}

export interface BatchSide {
  /** Shape of one record (the upload's x-amz-meta-shape). */
  shape: number[];
  parser: ParserScript;
}

/** Everything a batching run needs, looked up and checked. */
export interface BatchJob {
  model: string;
  dataset: string;
  batchSize: number;
  data: BatchSide;
  labels: BatchSide;
}

/** Looks up the model, dataset, labelset and parsers of a request; 404 names whichever is not stored. */
export async function resolveBatchJob({ db, store }: Pick<Deps, 'db' | 'store'>, request: BatchRequest): Promise<BatchJob> {
  const { model, dataset } = request;
  await requireModel({ db, store }, model);
  const data = requireReady(await datasetUploads(db, store, model, 'data').find(dataset), `dataset '${dataset}' of model '${model}'`, 'data_not_found');
  const labels = requireReady(
    await datasetUploads(db, store, model, 'labels').find(dataset),
    `labelset '${dataset}' of model '${model}' (data and labels share an id)`,
    'labels_not_found',
  );
  const [dataParser, labelParser] = await Promise.all([
    loadParser({ db, store }, request.dataParser),
    loadParser({ db, store }, request.labelParser),
  ]);
  return {
    model,
    dataset,
    batchSize: request.batchSize,
    data: { shape: data.shape, parser: dataParser },
    labels: { shape: labels.shape, parser: labelParser },
  };
}

async function loadParser({ db, store }: Pick<Deps, 'db' | 'store'>, id: string): Promise<ParserScript> {
  requireReady(await parserUploads(db, store).find(id), `parser '${id}'`, 'parser_not_found');
  const source = await readText(store, keys.parser(id), id);
  if (source === null) throw notFound(`Parser '${id}' is missing from the store; upload it again.`, 'parser_not_found');
  return { id, source };
}

async function readText(store: ObjectStore, key: string, id: string): Promise<string | null> {
  const stream = await store.read(key);
  if (!stream) return null;
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of stream as AsyncIterable<Buffer>) {
    size += part.byteLength;
    if (size > maxParserBytes) {
      stream.destroy();
      throw unprocessable(`Parser '${id}' is larger than ${maxParserBytes / 1024} KiB; a parser is a Lua script.`, 'parser_too_large');
    }
    parts.push(part);
  }
  return Buffer.concat(parts).toString('utf8');
}
