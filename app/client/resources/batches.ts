import type { CallOptions, Http } from '../http.js';
import { objectMeta } from '../object-meta.js';

export interface BatchOptions extends CallOptions {
  /** Parser of the dataset (`data_parser`). */
  dataParser: string;
  /** Parser of the labelset (`label_parser`). */
  labelParser: string;
  /** Records per batch (`batch_size`); the last batch may be short. */
  batchSize: number;
}

/** What batching a dataset produced. */
export interface BatchResult {
  batches: number;
  records: number;
}

/** Metadata of one part (data or labels) of a batch. */
export interface BatchPartMeta {
  /** `[count, ...recordShape]`. */
  shape: number[];
  dtype: 'uint8' | 'float32';
  size: number | null;
}

/** One part of a batch with its bytes. */
export interface BatchPart extends BatchPartMeta {
  bytes: Uint8Array;
}

/** Routes under /model/:model/batch(es) and POST /model/:model/data/:id/batch. */
export function batchesApi(http: Http) {
  const model$ = (model: string) => `/model/${encodeURIComponent(model)}`;
  const part$ = (model: string, id: string, part: 'data' | 'labels') => `${model$(model)}/batch/${encodeURIComponent(id)}/${part}`;

  async function headPart(model: string, id: string, part: 'data' | 'labels', options?: CallOptions): Promise<BatchPartMeta> {
    const meta = objectMeta(await http.head(part$(model, id, part), options));
    if (!meta.shape || !meta.dtype) throw new Error(`HEAD ${part$(model, id, part)} lacks x-amz-meta-shape or x-amz-meta-dtype`);
    return { shape: meta.shape, dtype: meta.dtype, size: meta.size };
  }

  async function getPart(model: string, id: string, part: 'data' | 'labels', options?: CallOptions): Promise<BatchPart> {
    const [meta, bytes] = await Promise.all([headPart(model, id, part, options), http.bytes(part$(model, id, part), options)]);
    return { ...meta, bytes };
  }

  return {
    /** GET /model/:model/batches: ids of every batch. */
    list: (model: string, options?: CallOptions) => http.json<string[]>('GET', `${model$(model)}/batches`, options),
    /** GET /model/:model/batch: the id of a uniformly random batch. */
    async random(model: string, options?: CallOptions): Promise<string> {
      const text = (await (await http.send('GET', `${model$(model)}/batch`, options)).text()).trim();
      // The spec says "string ID"; accept it bare or JSON-quoted.
      return text.startsWith('"') ? (JSON.parse(text) as string) : text;
    },
    /** GET /model/:model/batch/:id/data: the batch's record bytes. */
    data: (model: string, id: string, options?: CallOptions) => http.bytes(part$(model, id, 'data'), options),
    /** HEAD /model/:model/batch/:id/data: shape `[count, ...record]` and dtype. */
    headData: (model: string, id: string, options?: CallOptions) => headPart(model, id, 'data', options),
    /** GET /model/:model/batch/:id/labels: the batch's label bytes. */
    labels: (model: string, id: string, options?: CallOptions) => http.bytes(part$(model, id, 'labels'), options),
    /** HEAD /model/:model/batch/:id/labels: shape and dtype. */
    headLabels: (model: string, id: string, options?: CallOptions) => headPart(model, id, 'labels', options),
    /** Data and labels of a batch, each with its shape and dtype (four requests in parallel). */
    async download(model: string, id: string, options?: CallOptions): Promise<{ data: BatchPart; labels: BatchPart }> {
      const [data, labels] = await Promise.all([getPart(model, id, 'data', options), getPart(model, id, 'labels', options)]);
      return { data, labels };
    },
    /** POST /model/:model/data/:id/batch: parses the dataset and its labels and cuts batches. */
    create(model: string, datasetId: string, options: BatchOptions): Promise<BatchResult> {
      const form = new FormData();
      form.set('data_parser', options.dataParser);
      form.set('label_parser', options.labelParser);
      form.set('batch_size', String(options.batchSize));
      const path = `${model$(model)}/data/${encodeURIComponent(datasetId)}/batch`;
      return http.json<BatchResult>('POST', path, { body: form, signal: options.signal });
    },
  };
}
