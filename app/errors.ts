import Database from 'better-sqlite3';
import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** An HTTP error with a stable machine-readable code, rendered as `{ error: { code, message } }`. */
export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    /** Extra headers of the answer (Retry-After on a 503). */
    readonly headers: Record<string, string> = {},
  ) {
    super(status, { message });
  }
}

export const badRequest = (message: string, code = 'bad_request') => new ApiError(400, code, message);
export const notFound = (message: string, code = 'not_found') => new ApiError(404, code, message);
export const conflict = (message: string, code = 'conflict') => new ApiError(409, code, message);
export const unprocessable = (message: string, code = 'unprocessable') => new ApiError(422, code, message);

/** Error thrown by an object store or database adapter; always a 500. */
export class BackendError extends Error {
  constructor(
    readonly backend: 'store' | 'database',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function errorBody(code: string, message: string) {
  return { error: { code, message } };
}

const defaultCodes: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  503: 'unavailable',
};

/** The one place errors become responses: known errors keep their status, anything else is a 500 with no internals. */
export const onError: ErrorHandler = (err, c: Context) => {
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    const code = err instanceof ApiError ? err.code : (defaultCodes[status] ?? 'error');
    const headers = err instanceof ApiError ? err.headers : {};
    if (isHead(c)) return c.body(null, status, headers);
    return c.json(errorBody(code, err.message || code), status, headers);
  }
  const backend = failingBackend(err);
  console.error(`[${backend}]`, err);
  const message =
    backend === 'store'
      ? 'Error querying the object store.'
      : backend === 'database'
        ? 'Error querying the database.'
        : 'Internal server error.';
  if (isHead(c)) return c.body(null, 500);
  return c.json(errorBody(`${backend}_error`, message), 500);
};

/** Which part failed: adapters throw BackendError; SQLite's own errors mean the database. */
function failingBackend(err: Error): 'store' | 'database' | 'server' {
  if (err instanceof BackendError) return err.backend;
  if (err instanceof Database.SqliteError) return 'database';
  return 'server';
}

/** HEAD responses carry the status and headers only. */
function isHead(c: Context) {
  return c.req.method === 'HEAD';
}
