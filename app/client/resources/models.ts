import type { CallOptions, Http } from '../http.js';
import { objectMeta, type ObjectMeta } from '../object-meta.js';
import { upload, type UploadBody, type UploadOptions, type UploadResult } from '../upload.js';

export interface UploadModelOptions extends UploadOptions {
  /** Human-readable name (`x-amz-meta-name`). */
  name: string;
}

/** Routes under /models and /model/:id. */
export function modelsApi(http: Http) {
  const path = (id: string) => `/model/${encodeURIComponent(id)}`;
  return {
    /** GET /models: ids of every model. */
    list: (options?: CallOptions) => http.json<string[]>('GET', '/models', options),
    /** GET /model/:id: the stored definition's bytes (through the signed URL). */
    get: (id: string, options?: CallOptions) => http.bytes(path(id), options),
    /** GET /model/:id parsed as JSON (a TF.js `model.json`). */
    async getJson<T = unknown>(id: string, options?: CallOptions): Promise<T> {
      return JSON.parse(new TextDecoder().decode(await http.bytes(path(id), options))) as T;
    },
    /** HEAD /model/:id: name, size, type. */
    async head(id: string, options?: CallOptions): Promise<ObjectMeta> {
      return objectMeta(await http.head(path(id), options));
    },
    /** PUT /model/:id: uploads a definition under a new id (409 if taken). */
    upload(id: string, body: UploadBody, options: UploadModelOptions): Promise<UploadResult> {
      const headers = { 'x-amz-meta-name': options.name };
      return upload(http, path(id), body, headers, { contentType: 'application/json', ...options, knownId: id });
    },
  };
}
