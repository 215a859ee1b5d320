import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env.js';
import { parserUploads } from '../repos/named-uploads.js';
import { keys } from '../storage/object-store.js';
import { objectHeaders, redirectToDownload, redirectToUpload } from './signed-redirects.js';
import { parseId, requireName } from './upload-headers.js';
import { requireReady, takenError } from './upload-status.js';

export const parserRoutes = new Hono<AppEnv>();

parserRoutes.get('/parsers', async (c) => {
  return c.json(await parserUploads(c.var.db, c.var.store).listReady());
});

// Hono runs this handler for HEAD too: HEAD answers from the index without a redirect.
parserRoutes.get('/parser/:id', async (c) => {
  const id = parseId(c.req.param('id'), 'parser id');
  const parser = requireReady(await parserUploads(c.var.db, c.var.store).find(id), `parser '${id}'`, 'parser_not_found');
  if (c.req.method === 'HEAD') return objectHeaders(c, parser, { name: parser.name });
  return redirectToDownload(c, keys.parser(id));
});

parserRoutes.put('/parser', (c) => uploadParser(c, randomUUID()));
parserRoutes.put('/parser/:id', (c) => uploadParser(c, parseId(c.req.param('id'), 'parser id')));

/**
 * A parser id, like a model id, is never reused while taken (409): datasets name their
 * parser by id, so silently replacing a parser would change how existing data parses.
 */
async function uploadParser(c: Context<AppEnv>, id: string): Promise<Response> {
  const name = requireName(c.req.header('x-amz-meta-name'), 'parser');
  return redirectToUpload(c, id, keys.parser(id), async (expiresAt) => {
    const { taken } = await parserUploads(c.var.db, c.var.store).createPending(id, { name }, expiresAt);
    if (taken) throw takenError(`parser '${id}'`, taken, 'parser_exists');
  });
}
