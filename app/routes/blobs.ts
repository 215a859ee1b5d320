import { Hono, type Context } from 'hono';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebStream } from 'node:stream/web';
import { whenWritable } from '../../db/when-writable.js';
import type { AppEnv } from '../env.js';
import { ApiError, BackendError, badRequest, conflict, errorBody, notFound } from '../errors.js';
import { beginReceiving, expectsUpload, markUploadReady, uploadedContentType } from '../repos/upload-state.js';
import { parseRange } from '../storage/byte-range.js';
import { isEmbeddedStore, type EmbeddedStore } from '../storage/embedded.js';
import { assertSafeKey } from '../storage/object-key.js';
import type { SignedMethod } from '../storage/url-signing.js';

/**
 * The embedded store's data plane: the signed URLs it hands out point here. Every request
 * needs a signature for its method and key; bytes stream straight between the socket and
 * the objects folder.
 */
export const blobRoutes = new Hono<AppEnv>();

const prefix = '/blobs/';

/** The embedded store, or a 404 when objects live in MinIO (its signed URLs point there). */
function embeddedStore(c: Context<AppEnv>): EmbeddedStore {
  const { store } = c.var;
  if (!isEmbeddedStore(store)) {
    throw notFound('This server keeps objects in MinIO: signed URLs point there, not at /blobs/.');
  }
  return store;
}

/** The object key of the request, decoded from the raw path (so `%2F` and `..` are judged after decoding). */
function keyOf(c: Context<AppEnv>): string {
  const { pathname } = new URL(c.req.url);
  let key: string;
  try {
    key = decodeURIComponent(pathname.slice(prefix.length));
  } catch {
    throw badRequest('The object key in the URL has malformed percent-encoding.', 'invalid_key');
  }
  assertSafeKey(key);
  return key;
}

const signatureProblems = {
  missing: ['signature_missing', 'This URL carries no signature; use the signed URL the API redirects to.'],
  expired: ['signature_expired', 'This signed URL has expired; ask the API for a new one.'],
  invalid: ['signature_invalid', 'The signature does not match this object and method; use the URL exactly as the API returned it.'],
} as const;

/** Throws the 403 unless the URL was signed for `method` on `key` and has not expired. */
function authorize(c: Context<AppEnv>, store: EmbeddedStore, method: SignedMethod, key: string) {
  const check = store.verify(method, key, { expires: c.req.query('expires'), signature: c.req.query('signature') });
  if (!check.ok) {
    const [code, message] = signatureProblems[check.reason];
    throw new ApiError(403, code, message);
  }
}

// Hono answers HEAD with this GET handler; HEAD gets the same headers and never opens a body stream.
blobRoutes.get(`${prefix}*`, async (c) => {
  const store = embeddedStore(c);
  const key = keyOf(c);
  authorize(c, store, 'GET', key);
  const opened = await store.open(key);
  if (!opened) throw notFound(`No object is stored under ${key}.`);
  const { info } = opened;
  // A plain record, answered through c.body: the response then also carries the headers the
  // front door set (CORS, request id), which a bare new Response would drop.
  const headers: Record<string, string> = {
    // The type the object was uploaded with, as HEAD /model/:id reports it and S3 would.
    'Content-Type': uploadedContentType(c.var.db, key) ?? info.contentType,
    ETag: info.etag,
    'Last-Modified': info.lastModified.toUTCString(),
    'Accept-Ranges': 'bytes',
    // Objects are whatever their uploader sent, served from the API's own origin: an HTML
    // or SVG upload opened in a browser must not run as a page of this origin.
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; sandbox",
  };
  const range = parseRange(c.req.header('Range'), info.size);
  if (range === 'unsatisfiable') {
    await opened.close();
    headers['Content-Range'] = `bytes */${info.size}`;
    const message = `The object has ${info.size} bytes; ask for a range inside them.`;
    if (c.req.method === 'HEAD') return c.body(null, 416, headers);
    headers['Content-Type'] = 'application/json';
    return c.body(JSON.stringify(errorBody('range_not_satisfiable', message)), 416, headers);
  }
  headers['Content-Length'] = String(range ? range.end - range.start + 1 : info.size);
  if (range) headers['Content-Range'] = `bytes ${range.start}-${range.end}/${info.size}`;
  const status = range ? 206 : 200;
  if (c.req.method === 'HEAD') {
    await opened.close();
    return c.body(null, status, headers);
  }
  const body = Readable.toWeb(opened.stream(range ?? undefined)) as ReadableStream<Uint8Array>;
  return c.body(body, status, headers);
});

blobRoutes.put(`${prefix}*`, async (c) => {
  const store = embeddedStore(c);
  const key = keyOf(c);
  authorize(c, store, 'PUT', key);
  const { db } = c.var;
  const gone = () =>
    conflict(`No upload is expected for ${key} any more (its URL expired or the entry was dropped); request a new upload URL.`, 'upload_not_expected');
  // Checked before reading the body so a stale URL does not cost a whole upload.
  if (!expectsUpload(db, key)) throw gone();
  // Stored exactly as sent, whatever its Content-Type: the body is never parsed.
  const raw = c.req.raw.body;
  const body = raw ? Readable.fromWeb(raw as NodeWebStream<Uint8Array>) : Readable.from([]);
  const received = beginReceiving(db, key);
  try {
    const info = await store.write(key, body).catch((err) => {
      if (err instanceof BackendError) throw err;
      throw badRequest('The upload body ended early (connection closed?); nothing was stored. Send the PUT again.', 'incomplete_body');
    });
    if (!(await whenWritable(() => markUploadReady(db, key, info, c.req.header('Content-Type'))))) {
      await store.remove([key]);
      throw gone();
    }
    return c.body(null, 200, { ETag: info.etag });
  } finally {
    received();
  }
});
