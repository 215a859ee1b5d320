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

/** Headers browsers may send and read across origins (workers run in browser tabs). */
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
const corsExposeHeaders = [
  'Location',
  'ETag',
  'Content-Length',
  'Last-Modified',
  'Content-Range',
  'Accept-Ranges',
  'X-Object-Id',
  'x-amz-meta-name',
  'x-amz-meta-shape',
  'x-amz-meta-parser',
  'x-amz-meta-dtype',
  'X-Tensor-Shape',
  'X-Tensor-Dtype',
  'X-Session-Version',
  'X-Session-Loss',
  'X-Session-Alpha',
  'X-Next-After',
  'X-Request-Id',
];

/** Builds the HTTP app on the given dependencies; never listens. */
export function createApp(deps: Deps) {
  const app = new Hono<AppEnv>();
  // Outermost, so the logged status is the one the client gets.
  app.use('*', logRequests(createLogger(deps.config.LOG_LEVEL)));
  app.use(
    '*',
    corsHeaders({
      origins: deps.config.CORS_ORIGINS.split(',').map((o) => o.trim()),
      allowMethods: ['GET', 'HEAD', 'PUT', 'POST', 'OPTIONS'],
      allowHeaders: corsAllowHeaders,
      exposeHeaders: corsExposeHeaders,
      maxAgeSeconds: 600,
    }),
  );
  // Not async, like the other pass-through steps: each async layer costs promises per request.
  app.use('*', (c, next) => {
    c.set('config', deps.config);
    c.set('db', deps.db);
    c.set('store', deps.store);
    c.set('lua', deps.lua);
    c.set('sessions', deps.sessions);
    return next();
  });
  app.use('*', limitRequestSize(deps.config));
  app.use('*', requireToken(deps.config));
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
