import { Hono } from 'hono';
import type { AppEnv } from '../env.js';
import { conflict, notFound } from '../errors.js';
import { modelUploads } from '../repos/named-uploads.js';
import { describeTaken } from '../repos/uploads.js';
import { keys } from '../storage/object-store.js';
import { objectHeaders, redirectToDownload, redirectToUpload } from './signed-redirects.js';
import { parseId, requireName } from './upload-headers.js';

export const modelRoutes = new Hono<AppEnv>();

modelRoutes.get('/models', async (c) => {
  return c.json(await modelUploads(c.var.db, c.var.store).listReady());
});

// Hono runs this handler for HEAD too: HEAD answers from the index without a redirect.
modelRoutes.get('/model/:id', async (c) => {
  const id = parseId(c.req.param('id'), 'model id');
  const model = await modelUploads(c.var.db, c.var.store).findReady(id);
  if (!model) throw notFound(`Model '${id}' does not exist.`, 'model_not_found');
  if (c.req.method === 'HEAD') return objectHeaders(c, model, { name: model.name });
  return redirectToDownload(c, keys.model(id));
});

modelRoutes.put('/model/:id', async (c) => {
  const id = parseId(c.req.param('id'), 'model id');
  const name = requireName(c.req.header('x-amz-meta-name'), 'model');
  const models = modelUploads(c.var.db, c.var.store);
  return redirectToUpload(c, id, keys.model(id), async (expiresAt) => {
    const { taken } = await models.createPending(id, { name }, expiresAt);
    if (taken) throw conflict(describeTaken(`model '${id}'`, taken), 'model_exists');
  });
});
