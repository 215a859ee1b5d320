import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Config } from './config.js';
import type { AppEnv } from './env.js';
import { bufferedStdout } from './log-buffer.js';
import { tagResponse } from './response-tags.js';

type Level = Config['LOG_LEVEL'];
type At = Exclude<Level, 'silent'>;
const rank: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

let isoMs = 0;
let isoText = '';
/** The current time as ISO 8601, formatted once per millisecond (formatting costs more than the rest of a log line). */
function isoNow(): string {
  const now = Date.now();
  if (now !== isoMs) {
    isoMs = now;
    isoText = new Date(now).toISOString();
  }
  return isoText;
}

/** Writes one JSON line per event at or above the configured level (to stdout, a batch per event-loop turn). */
export function createLogger(level: Level, write: (line: string) => void = bufferedStdout) {
  const enabled = (at: At) => rank[at] >= rank[level];
  /** `fieldsJson` is the inside of a JSON object (`"a":1,"b":"x"`), or ''. */
  const emit = (at: At, msg: string, fieldsJson: string) => {
    if (!enabled(at)) return;
    const rest = fieldsJson === '' ? '' : `,${fieldsJson}`;
    write(`{"time":"${isoNow()}","level":"${at}","msg":${JSON.stringify(msg)}${rest}}\n`);
  };
  const log = (at: At, msg: string, fields: Record<string, unknown> = {}) => {
    if (enabled(at)) emit(at, msg, JSON.stringify(fields).slice(1, -1));
  };
  return {
    enabled,
    /** For hot paths: fields already serialised, so no object is built and stringified per line. */
    emit,
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
 * New request ids: a random prefix per process and a counter, shaped like a UUID (36
 * characters of hex and dashes). Unique without a randomUUID() call per request.
 */
const idPrefix = randomUUID().slice(0, 23);
let idCounter = 0;
const newRequestId = () => `${idPrefix}-${(idCounter++ % 2 ** 48).toString(16).padStart(12, '0')}`;

/**
 * Tags each request with an id (the client's X-Request-Id or a new one), echoes it on the
 * response, and logs one line with method, path, status and duration once it is answered.
 */
export function logRequests(logger: Logger): MiddlewareHandler<AppEnv> {
  // Not async, and the id is set before the handler runs, so every answer is built with it:
  // an async layer and a header set on the finished response each cost per request.
  return (c, next) => {
    const started = performance.now();
    const offered = c.req.header('X-Request-Id');
    const id = offered && ClientRequestId.test(offered) ? offered : newRequestId();
    tagResponse(c, 'X-Request-Id', id);
    // Resolves once answered: Hono hands a handler's error to onError, which renders c.res.
    return next().then(() => {
      const status = c.res.status;
      const at = status >= 500 ? 'error' : 'info';
      if (!logger.enabled(at)) return;
      const ms = Math.round((performance.now() - started) * 10) / 10;
      // The id is plain by construction and the method a token; only the path needs escaping.
      logger.emit(at, 'request', `"id":"${id}","method":"${c.req.method}","path":${JSON.stringify(c.req.path)},"status":${status},"ms":${ms}`);
    });
  };
}
