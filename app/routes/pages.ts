import { Hono, type Context } from 'hono';
import { compress } from 'hono/compress';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { assetsSubdir, webOutDir, type PageName } from '../../web/out-dir.js';
import type { AppEnv } from '../env.js';
import { ApiError, notFound } from '../errors.js';

/**
 * The browser pages (built by `npm run build` from web/ into dist/web): the dashboard, the
 * volunteer page, and their bundles. Pages hold no data, so they are public; the API calls
 * they make carry the tokens.
 */
export const pageRoutes = new Hono<AppEnv>();

const contentTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** Bundle names carry a content hash (`chunk-BAFFPLE4.js`): no dots in a row, no slashes. */
const assetName = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9]+)+$/;

/**
 * Scripts, styles and images from this server only; the API and signed storage URLs (which
 * may be a MinIO host) stay reachable with fetch.
 */
const pageHeaders = {
  'Content-Type': 'text/html; charset=utf-8',
  // Pages name the current bundles: always ask again.
  'Cache-Control': 'no-cache',
  'Content-Security-Policy': "default-src 'self'; connect-src *; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

const notBuilt = () =>
  new ApiError(503, 'web_not_built', `The web pages are not built in ${webOutDir}: run "npm run build" (npm start does it first).`);

async function servePage(c: Context<AppEnv>, page: PageName) {
  const html = await readFile(path.join(webOutDir, `${page}.html`)).catch(() => null);
  if (!html) throw notBuilt();
  return c.body(html, 200, pageHeaders);
}

pageRoutes.get('/', (c) => servePage(c, 'dashboard'));
pageRoutes.get('/train/:model/:session', (c) => servePage(c, 'volunteer'));

pageRoutes.use('/assets/*', compress());
pageRoutes.get('/assets/:file', async (c) => {
  const name = c.req.param('file');
  const type = contentTypes[path.extname(name)];
  const bytes = assetName.test(name) && type ? await readFile(path.join(webOutDir, assetsSubdir, name)).catch(() => null) : null;
  if (!bytes) throw notFound(`No asset named '${name}': pages name their bundles, which change with every build.`);
  return c.body(bytes, 200, {
    'Content-Type': type,
    // Named by content hash: a new build gets new names, so a copy never goes stale.
    'Cache-Control': 'public, max-age=31536000, immutable',
    'X-Content-Type-Options': 'nosniff',
  });
});
