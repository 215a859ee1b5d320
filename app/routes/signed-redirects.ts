import type { Context } from 'hono';
import type { AppEnv } from '../env.js';
import { uploadExpiry } from '../repos/uploads.js';
import { signedDownloadUrl } from './download-urls.js';

/** Index metadata of a stored object, as HEAD reports it. */
export interface StoredObject {
  size: number | null;
  etag: string | null;
  contentType: string | null;
  updatedAt: number;
}

/** 307 to a signed GET URL of `key` (valid at least half of URL_EXPIRY_SECONDS): the client downloads straight from the store. */
export async function redirectToDownload(c: Context<AppEnv>, key: string): Promise<Response> {
  // c.get, not c.var: c.var copies every variable into a new object on each access.
  return c.redirect(await signedDownloadUrl(c.get('store'), key, c.get('config').URL_EXPIRY_SECONDS), 307);
}

/** The request's x-amz-meta-* headers: `curl -L` and fetch re-send them to the signed URL, so it must cover them. */
function metadataHeaders(c: Context<AppEnv>): Record<string, string> {
  return Object.fromEntries(Object.entries(c.req.header()).filter(([name]) => name.startsWith('x-amz-meta-')));
}

/**
 * Signs a PUT URL for `key`, then records the pending upload with `record` (given when the
 * entry expires; it throws the 409 when the id is taken). The 307 makes `curl -L -T` and
 * fetch re-send the body to the store; the JSON body `{ id, url, expiresAt }` serves
 * clients that do not follow.
 */
export async function redirectToUpload(
  c: Context<AppEnv>,
  id: string,
  key: string,
  record: (expiresAt: number) => Promise<void>,
): Promise<Response> {
  const { store, config } = c.var;
  const url = await store.presignPut(key, config.URL_EXPIRY_SECONDS, metadataHeaders(c));
  // Taken after signing, so the entry never expires before its URL does. It waits longer
  // where the store cannot show an upload in progress (MinIO): one started in time may
  // still be arriving, and the id must not be handed out again meanwhile.
  const expiresAt = uploadExpiry(config.URL_EXPIRY_SECONDS);
  await record(expiresAt + store.lateUploadGraceMs);
  return c.json({ id, url, expiresAt: new Date(expiresAt).toISOString() }, 307, { Location: url, 'X-Object-Id': id });
}

/** HEAD: the object's metadata from the index (never a store call, never a body). */
export function objectHeaders(c: Context<AppEnv>, object: StoredObject, meta: Record<string, string>): Response {
  if (object.size !== null) c.header('Content-Length', String(object.size));
  c.header('Content-Type', object.contentType ?? 'application/octet-stream');
  if (object.etag) c.header('ETag', object.etag.startsWith('"') ? object.etag : `"${object.etag}"`);
  c.header('Last-Modified', new Date(object.updatedAt).toUTCString());
  for (const [name, value] of Object.entries(meta)) c.header(`x-amz-meta-${name}`, value);
  return c.body(null, 200);
}
