import type { Context, MiddlewareHandler, Next } from 'hono';
import type { IncomingMessage } from 'node:http';
import type { Config } from './config.js';
import type { AppEnv } from './env.js';
import { ApiError, errorBody } from './errors.js';
import { tagResponse } from './response-tags.js';
import { routeTable, uploadRoutes, type RouteRule } from './route-table.js';

type SizeSetting = 'MAX_UPLOAD_BYTES' | 'MAX_TENSOR_BYTES' | 'MAX_JSON_BYTES';

/**
 * Body caps by route; any route not listed gets MAX_JSON_BYTES, so a new route is capped
 * by default. Upload routes get the upload cap: a client that sends no `Expect: 100-continue`
 * sends the whole file before it follows the 307 to the signed URL (app/server.ts spares
 * those that do). Tensors (session weights) may be large but are bounded.
 */
const bodyRules: Array<RouteRule & { setting: SizeSetting }> = [
  { method: 'PUT', pattern: '/blobs/*', setting: 'MAX_UPLOAD_BYTES' },
  ...uploadRoutes.map((route) => ({ ...route, setting: 'MAX_UPLOAD_BYTES' as const })),
  { method: 'PUT', pattern: '/model/:id/session', setting: 'MAX_TENSOR_BYTES' },
  { method: 'POST', pattern: '/model/:model/session/:session/weights', setting: 'MAX_TENSOR_BYTES' },
];
const findBodyRule = routeTable(bodyRules);

/** The body-size setting that applies to a request. */
export function bodySetting(method: string, path: string): SizeSetting {
  return findBodyRule(method, path)?.setting ?? 'MAX_JSON_BYTES';
}

const tooLarge = (limit: number, setting: SizeSetting) =>
  new ApiError(413, 'payload_too_large', `The request body is larger than ${limit} bytes, the limit for this route (${setting}).`);

/**
 * Counts bytes as they stream to whoever reads the body (nothing is buffered here) and
 * fails the stream once `limit` is passed; `counted` tells afterwards how the read went.
 */
function cappedStream(
  body: ReadableStream<Uint8Array>,
  limit: number,
  counted: { overflowed: boolean; ended: boolean },
  overflowError: () => Error,
) {
  let seen = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen <= limit) return controller.enqueue(chunk);
        counted.overflowed = true;
        controller.error(overflowError());
      },
      flush() {
        counted.ended = true;
      },
    }),
  );
}

/** Length of an absolute URL's path and query (what the request line carried), without parsing it into a URL. */
function targetLength(url: string): number {
  const pathStart = url.indexOf('/', url.indexOf('//') + 2);
  return pathStart < 0 ? 0 : url.length - pathStart;
}

/** Bytes of the request's header lines: name, value, ': ' and CRLF each. */
function headerBytes(c: Context<AppEnv>): number {
  let bytes = 0;
  // @hono/node-server hands the app its IncomingMessage (when fetch is passed on as is, as
  // main.ts does): its raw lines cost nothing to count, where the Request's headers would
  // first be built into a Headers object (~3 µs of a redirect).
  const raw = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.rawHeaders;
  if (raw) for (let i = 0; i + 1 < raw.length; i += 2) bytes += raw[i].length + raw[i + 1].length + 4;
  else c.req.raw.headers.forEach((value, name) => (bytes += name.length + value.length + 4));
  return bytes;
}

/** Answers 414, 431 or 413 for a URL, header block or body over the configured caps. */
export function limitRequestSize(config: Config): MiddlewareHandler<AppEnv> {
  // Not async: most requests pass straight through, and an async layer costs promises per request.
  return (c, next) => {
    if (targetLength(c.req.url) > config.MAX_URL_BYTES) {
      throw new ApiError(414, 'uri_too_long', `The URL is longer than ${config.MAX_URL_BYTES} bytes (MAX_URL_BYTES).`);
    }
    if (headerBytes(c) > config.MAX_HEADER_BYTES) {
      throw new ApiError(431, 'headers_too_large', `The request headers total more than ${config.MAX_HEADER_BYTES} bytes (MAX_HEADER_BYTES).`);
    }

    const declared = c.req.header('Content-Length');
    const chunked = declared === undefined && Boolean(c.req.header('Transfer-Encoding'));
    // No body (most GETs): no cap to look up.
    if (declared === undefined && !chunked) return next();
    const setting = bodySetting(c.req.method, c.req.path);
    const limit = config[setting];
    // Node rejects bodies longer than their Content-Length, so a declared length is binding.
    if (declared !== undefined && Number(declared) > limit) {
      // The unread body is still on the wire: this connection cannot carry another request.
      tagResponse(c, 'Connection', 'close');
      throw tooLarge(limit, setting);
    }
    // Only a chunked body has no declared length. Touching `body` otherwise would open the
    // socket's stream and stop the server from discarding a body no handler reads.
    if (!chunked) return next();
    const body = c.req.raw.body;
    if (!body) return next();
    return capChunkedBody(c, next, body, limit, setting);
  };
}

/** Runs the rest of the chain on a body counted as it streams; 413 once it passes `limit`. */
async function capChunkedBody(c: Context<AppEnv>, next: Next, body: ReadableStream<Uint8Array>, limit: number, setting: SizeSetting) {
  const counted = { overflowed: false, ended: false };
  const stream = cappedStream(body, limit, counted, () => tooLarge(limit, setting));
  c.req.raw = new Request(c.req.raw, { body: stream, duplex: 'half' } as RequestInit);
  try {
    await next();
  } finally {
    // The rest of the body is unread (refused, or a check such as the token's failed before
    // it was read): the connection cannot carry another request, whoever answers.
    if (!counted.ended) tagResponse(c, 'Connection', 'close');
  }
  // Whoever read the body may have turned the stream error into its own 400 or 500.
  if (counted.overflowed) {
    const error = tooLarge(limit, setting);
    c.res = Response.json(errorBody(error.code, error.message), { status: 413 });
  }
}
