import { Hono, type Context } from 'hono';
import { readBatchBody } from '../batching/batch-body.js';
import { resolveBatchJob } from '../batching/batch-job.js';
import { runBatching } from '../batching/run-batching.js';
import type { AppEnv } from '../env.js';
import { notFound } from '../errors.js';
import { batchRepo } from '../repos/batches.js';
import { keys } from '../storage/object-store.js';
import { objectHeaders, redirectToDownload } from './signed-redirects.js';
import { parseId } from './upload-headers.js';
import { requireModel } from './upload-status.js';

/** Cutting datasets into batches, and the batches workers train on. */
export const batchRoutes = new Hono<AppEnv>();

batchRoutes.post('/model/:model/data/:id/batch', async (c) => {
  const model = parseId(c.req.param('model'), 'model id');
  const dataset = parseId(c.req.param('id'), 'dataset id');
  const body = await readBatchBody(c);
  const job = await resolveBatchJob(c.var, {
    model,
    dataset,
    dataParser: body.data_parser,
    labelParser: body.label_parser,
    batchSize: body.batch_size,
  });
  return c.json(await runBatching(c.var, job));
});

batchRoutes.get('/model/:model/batches', async (c) => {
  const model = await readyModel(c);
  return c.json(batchRepo(c.var.db).listIds(model));
});

// Workers call this before every batch: it reads the index only (two index lookups).
batchRoutes.get('/model/:model/batch', async (c) => {
  const model = parseId(c.req.param('model'), 'model id');
  const id = batchRepo(c.var.db).randomId(model);
  if (id !== null) return c.text(id);
  await readyModel(c);
  throw notFound(`Model '${model}' has no batches yet; cut some with POST /model/${model}/data/<id>/batch.`, 'no_batches');
});

// Hono runs this handler for HEAD too: HEAD answers from the index without a redirect.
// One route per part, not `:part{data|labels}`: see app/routes/datasets.ts.
for (const part of ['data', 'labels'] as const) {
  batchRoutes.get(`/model/:model/batch/:id/${part}`, async (c) => {
    const model = parseId(c.req.param('model'), 'model id');
    const id = parseId(c.req.param('id'), 'batch id');
    const batch = batchRepo(c.var.db).find(model, id);
    if (!batch) {
      await readyModel(c);
      throw notFound(`Batch '${id}' of model '${model}' does not exist; GET /model/${model}/batches lists them.`, 'batch_not_found');
    }
    if (c.req.method === 'HEAD') {
      const [size, etag, shape, dtype] =
        part === 'data'
          ? [batch.dataSize, batch.dataEtag, batch.dataShape, batch.dataDtype]
          : [batch.labelSize, batch.labelEtag, batch.labelShape, batch.labelDtype];
      return objectHeaders(c, { size, etag, contentType: 'application/octet-stream', updatedAt: batch.createdAt }, { shape: JSON.stringify(shape), dtype });
    }
    return redirectToDownload(c, keys.batch(model, id, part));
  });
}

/** The model id of the path; 404 when no such model is stored. */
async function readyModel(c: Context<AppEnv>): Promise<string> {
  const model = parseId(c.req.param('model') ?? '', 'model id');
  await requireModel(c.var, model);
  return model;
}
