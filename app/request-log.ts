import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Config } from './config.js';
import type { AppEnv } from './env.js';

type Level = Config['LOG_LEVEL'];
const rank: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Writes one JSON line per event at or above the configured level. */
export function createLogger(level: Level, write: (line: string) => void = (line) => process.stdout.write(line)) {
  const log = (at: Exclude<Level, 'silent'>, msg: string, fields: Record<string, unknown> = {}) => {
    if (rank[at] < rank[level]) return;
    write(`${JSON.stringify({ time: new Date().toISOString(), level: at, msg, ...fields })}\n`);
  };
  return {
    debug: (msg: string, fields?: Record<string, unknown>) => log('debug', msg, fields),
    info: (msg: string, fields?: Record<string, unknown>) => log('info', msg, fields),
    warn: (msg: string, fields?: Record<string, unknown>) => log('warn', msg, fields),
    error: (msg: string, fields?: Record<string, unknown>) => log('error', msg, fields),
  };
}
export type Logger = ReturnType<typeof createLogger>;

/** A client's request id is kept only when it is short and plain, so logs stay parseable. */
const ClientRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Tags each request with an id (the client's X-Request-Id or a new one), echoes it on the
 * response, and logs one line with method, path, status and duration once it is answered.
 */
export function logRequests(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const offered = c.req.header('X-Request-Id');
    const id = offered && ClientRequestId.test(offered) ? offered : randomUUID();
    try {
      await next();
    } finally {
      // c.res exists even when a handler threw: onError rendered it.
      c.res.headers.set('X-Request-Id', id);
      const status = c.res.status;
      const fields = { id, method: c.req.method, path: c.req.path, status, ms: Math.round((performance.now() - started) * 10) / 10 };
      if (status >= 500) logger.error('request', fields);
      else logger.info('request', fields);
    }
  };
}
