import type { CallOptions, Http } from '../http.js';
import { objectMeta, type ObjectMeta } from '../object-meta.js';
import { upload, type UploadBody, type UploadOptions, type UploadResult } from '../upload.js';

export interface UploadDatasetOptions extends UploadOptions {
  /** Shape of one record, e.g. `[28, 28]` for MNIST images, `[1]` for their labels. */
  shape: number[];
  /** Id of the parser that turns the raw file into records (e.g. `idx-images`). */
  parser: string;
  /** Choose the id (data and its labels share one); generated otherwise. */
  id?: string;
}

/** Routes under /model/:model/data and /model/:model/labels (the same shape of API). */
export function datasetsApi(http: Http, kind: 'data' | 'labels') {
  const base = (model: string) => `/model/${encodeURIComponent(model)}/${kind}`;
  const path = (model: string, id: string) => `${base(model)}/${encodeURIComponent(id)}`;
  return {
    /** GET /model/:model/{data|labels}: ids of the model's sets. */
    list: (model: string, options?: CallOptions) => http.json<string[]>('GET', base(model), options),
    /** GET /model/:model/{data|labels}/:id: the raw, unparsed bytes. */
    get: (model: string, id: string, options?: CallOptions) => http.bytes(path(model, id), options),
    /** HEAD /model/:model/{data|labels}/:id: shape, parser, size. */
    async head(model: string, id: string, options?: CallOptions): Promise<ObjectMeta> {
      return objectMeta(await http.head(path(model, id), options));
    },
    /** PUT /model/:model/{data|labels}[/:id]: uploads a raw file with its record shape and parser. */
    upload(model: string, body: UploadBody, options: UploadDatasetOptions): Promise<UploadResult> {
      const target = options.id ? path(model, options.id) : base(model);
      const headers = { 'x-amz-meta-shape': JSON.stringify(options.shape), 'x-amz-meta-parser': options.parser };
      return upload(http, target, body, headers, { ...options, knownId: options.id });
    },
  };
}
