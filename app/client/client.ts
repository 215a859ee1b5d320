import { Http, type ClientOptions } from './http.js';
import { batchesApi } from './resources/batches.js';
import { datasetsApi } from './resources/datasets.js';
import { modelsApi } from './resources/models.js';
import { parsersApi } from './resources/parsers.js';
import { sessionsApi } from './resources/sessions.js';

/** A typed client for every route of a WebML coordinator. */
export function createClient(options: ClientOptions | string) {
  const http = new Http(typeof options === 'string' ? { server: options } : options);
  return {
    server: http.server,
    models: modelsApi(http),
    parsers: parsersApi(http),
    data: datasetsApi(http, 'data'),
    labels: datasetsApi(http, 'labels'),
    batches: batchesApi(http),
    sessions: sessionsApi(http),
  };
}

export type WebMLClient = ReturnType<typeof createClient>;
