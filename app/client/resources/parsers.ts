import type { CallOptions, Http } from '../http.js';
import { objectMeta, type ObjectMeta } from '../object-meta.js';
import { upload, type UploadBody, type UploadOptions, type UploadResult } from '../upload.js';

export interface UploadParserOptions extends UploadOptions {
  /** Human-readable name (`x-amz-meta-name`). */
  name: string;
  /** Choose the id (PUT /parser/:id); the server generates one otherwise (PUT /parser). */
  id?: string;
}

/** Routes under /parsers and /parser. */
export function parsersApi(http: Http) {
  const path = (id: string) => `/parser/${encodeURIComponent(id)}`;
  return {
    /** GET /parsers: ids of every parser, bundled ones included. */
    list: (options?: CallOptions) => http.json<string[]>('GET', '/parsers', options),
    /** GET /parser/:id: the Lua source. */
    async get(id: string, options?: CallOptions): Promise<string> {
      return new TextDecoder().decode(await http.bytes(path(id), options));
    },
    /** HEAD /parser/:id: name, size. */
    async head(id: string, options?: CallOptions): Promise<ObjectMeta> {
      return objectMeta(await http.head(path(id), options));
    },
    /** PUT /parser (or /parser/:id): uploads a Lua parser; resolves to its id. */
    upload(source: UploadBody, options: UploadParserOptions): Promise<UploadResult> {
      const target = options.id ? path(options.id) : '/parser';
      return upload(http, target, source, { 'x-amz-meta-name': options.name }, { contentType: 'text/x-lua', ...options, knownId: options.id });
    },
  };
}
