import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env.js';
import { badRequest } from '../errors.js';
import { datasetUploads, type DatasetKind } from '../repos/dataset-uploads.js';
import { parserUploads } from '../repos/named-uploads.js';
import { keys } from '../storage/object-store.js';
import { objectHeaders, redirectToDownload, redirectToUpload } from './signed-redirects.js';
import { parseId, requireParserId, requireShape } from './upload-headers.js';
import { requireModel, requireReady, takenError } from './upload-status.js';

/** Data and labels of a model: one implementation, registered once per kind. */
export const datasetRoutes = new Hono<AppEnv>();

// Literal `data` and `labels` segments rather than one `:kind{data|labels}` pattern: Hono's
// fast RegExpRouter cannot take that pattern beside the other /model/:x/... routes, and one
// such route sends every request of the app through the slower TrieRouter.
for (const kind of ['data', 'labels'] as const) {
  datasetRoutes.get(`/model/:model/${kind}`, async (c) => {
    const model = parseId(c.req.param('model'), 'model id');
    await requireModel(c.var, model);
    return c.json(await datasetUploads(c.var.db, c.var.store, model, kind).listReady());
  });

  // Hono runs this handler for HEAD too: HEAD answers from the index without a redirect.
  datasetRoutes.get(`/model/:model/${kind}/:id`, async (c) => {
    const model = parseId(c.req.param('model'), 'model id');
    const id = parseId(c.req.param('id'), `${noun(kind)} id`);
    await requireModel(c.var, model);
    const entry = requireReady(
      await datasetUploads(c.var.db, c.var.store, model, kind).find(id),
      `${noun(kind)} '${id}' of model '${model}'`,
      `${kind}_not_found`,
    );
    if (c.req.method === 'HEAD') return objectHeaders(c, entry, { shape: JSON.stringify(entry.shape), parser: entry.parser });
    return redirectToDownload(c, keys.dataset(kind, model, id));
  });

  datasetRoutes.put(`/model/:model/${kind}`, (c) => uploadDataset(c, kind, randomUUID()));
  datasetRoutes.put(`/model/:model/${kind}/:id`, (c) => uploadDataset(c, kind, c.req.param('id')));
}

/**
 * A dataset id, like a model id, is never reused while taken (409): batches are cut from
 * a dataset by id, so silently replacing its bytes would leave them describing other data.
 */
async function uploadDataset(c: Context<AppEnv>, kind: DatasetKind, rawId: string): Promise<Response> {
  const model = parseId(c.req.param('model') ?? '', 'model id');
  const id = parseId(rawId, `${noun(kind)} id`);
  await requireModel(c.var, model);
  const shape = requireShape(c.req.header('x-amz-meta-shape'));
  const parser = requireParserId(c.req.header('x-amz-meta-parser'));
  if ((await parserUploads(c.var.db, c.var.store).find(parser))?.status !== 'ready') {
    throw badRequest(
      `Parser '${parser}' named by x-amz-meta-parser is not stored: upload it first with PUT /parser/${parser}.`,
      'unknown_parser',
    );
  }
  const entries = datasetUploads(c.var.db, c.var.store, model, kind);
  return redirectToUpload(c, id, keys.dataset(kind, model, id), async (expiresAt) => {
    const { taken } = await entries.createPending(id, { shape, parser }, expiresAt);
    if (taken) throw takenError(`${noun(kind)} '${id}' of model '${model}'`, taken, `${kind}_exists`);
  });
}

const noun = (kind: DatasetKind) => (kind === 'data' ? 'dataset' : 'labelset');
