import { Hono } from 'hono';
import type { AppEnv } from '../env.js';
import { modelUploads } from '../repos/named-uploads.js';
import { keys } from '../storage/object-store.js';
import { objectHeaders, redirectToDownload, redirectToUpload } from './signed-redirects.js';
import { parseId, requireName } from './upload-headers.js';
import { requireReady, takenError } from './upload-status.js';

export const modelRoutes = new Hono<AppEnv>();

modelRoutes.get('/models', async (c) => {
  return c.json(await modelUploads(c.var.db, c.var.store).listReady());
});

// Hono runs this handler for HEAD too: HEAD answers from the index without a redirect.
modelRoutes.get('/model/:id', async (c) => {
  const id = parseId(c.req.param('id'), 'model id');
  // c.get, not c.var: c.var copies every variable into a new object on each access.
  const models = modelUploads(c.get('db'), c.get('store'));
  const head = c.req.method === 'HEAD';
  // The hottest route of the API: a model known to be stored needs no index read to redirect.
  if (!head && models.knownReady(id)) return redirectToDownload(c, keys.model(id));
  const model = requireReady(await models.find(id), `model '${id}'`, 'model_not_found');
  if (head) return objectHeaders(c, model, { name: model.name });
  return redirectToDownload(c, keys.model(id));
});

modelRoutes.put('/model/:id', async (c) => {
  const id = parseId(c.req.param('id'), 'model id');
  const name = requireName(c.req.header('x-amz-meta-name'), 'model');
  return redirectToUpload(c, id, keys.model(id), async (expiresAt) => {
    const { taken } = await modelUploads(c.var.db, c.var.store).createPending(id, { name }, expiresAt);
    if (taken) throw takenError(`model '${id}'`, taken, 'model_exists');
  });
});
