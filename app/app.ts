import { Hono } from 'hono';
import { requireToken } from './auth.js';
import { corsHeaders } from './cors.js';
import type { AppEnv, Deps } from './env.js';
import { errorBody, onError } from './errors.js';
import { limitRequestSize } from './limits.js';
import { createLogger, logRequests } from './request-log.js';
import { capSessionsPerModel } from './resource-caps.js';
import { batchRoutes } from './routes/batches.js';
import { blobRoutes } from './routes/blobs.js';
import { datasetRoutes } from './routes/datasets.js';
import { healthRoutes } from './routes/health.js';
import { modelRoutes } from './routes/models.js';
import { pageRoutes } from './routes/pages.js';
import { parserRoutes } from './routes/parsers.js';
import { sessionRoutes } from './routes/sessions.js';

/**
 * Headers browsers may send across origins (workers run in browser tabs). Authorization
 * is named: a wildcard here would not cover it.
 */
const corsAllowHeaders = [
  'Content-Type',
  'Authorization',
  'Range',
  'x-amz-meta-name',
  'x-amz-meta-shape',
  'x-amz-meta-parser',
  'X-Tensor-Shape',
  'X-Tensor-Dtype',
  'X-Request-Id',
];

/** Builds the HTTP app on the given dependencies; never listens. */
export function createApp(deps: Deps) {
  const app = new Hono<AppEnv>();
  // Outermost, so the logged status is the one the client gets.
  app.use('*', logRequests(createLogger(deps.config.LOG_LEVEL)));
  const cors = corsHeaders({
    origins: deps.config.CORS_ORIGINS.split(',').map((o) => o.trim()),
    allowMethods: ['GET', 'HEAD', 'PUT', 'POST', 'OPTIONS'],
    allowHeaders: corsAllowHeaders,
    // Every response header, readable by scripts on other origins (ETag, x-amz-meta-*,
    // X-Session-Version, X-Request-Id...). The wildcard holds for requests without
    // cookies, which is all of ours (tokens travel in Authorization), and costs 1 byte
    // per answer where the list of names cost 300.
    exposeHeaders: ['*'],
    maxAgeSeconds: 600,
  });
  const limitSize = limitRequestSize(deps.config);
  const checkToken = requireToken(deps.config);
  // The front door, one layer rather than one per step: each layer costs promises per
  // request, and GET /model/:id, the hottest route, does little else. In order: CORS
  // (preflight answered here), the handlers' dependencies, size caps, then the token.
  app.use('*', (c, next) => {
    const preflight = cors(c);
    if (preflight) return Promise.resolve(preflight);
    c.set('config', deps.config);
    c.set('db', deps.db);
    c.set('store', deps.store);
    c.set('lua', deps.lua);
    c.set('sessions', deps.sessions);
    return limitSize(c, () => {
      checkToken(c);
      return next();
    });
  });
  app.use('/model/:id/session', capSessionsPerModel);

  app.route('/', pageRoutes);
  app.route('/', healthRoutes);
  app.route('/', blobRoutes);
  app.route('/', modelRoutes);
  app.route('/', parserRoutes);
  app.route('/', datasetRoutes);
  app.route('/', batchRoutes);
  app.route('/', sessionRoutes);

  app.notFound((c) => c.json(errorBody('not_found', `No route for ${c.req.method} ${c.req.path}.`), 404));
  app.onError(onError);
  return app;
}
