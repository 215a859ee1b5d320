import type { CallOptions, Http } from './http.js';

/** What an upload can send: a Blob (Node's `fs.openAsBlob` streams from disk), bytes or text. */
export type UploadBody = Blob | Uint8Array | ArrayBuffer | string;

export interface UploadOptions extends CallOptions {
  /** Content-Type stored with the object; a Blob's own type otherwise. */
  contentType?: string;
  /** Called as bytes leave for the store (streams the body; Node 18+ or HTTP/2 browsers). */
  onProgress?: (sentBytes: number, totalBytes: number) => void;
}

/** The id the server gave the upload (generated unless the caller chose it), and its size. */
export interface UploadResult {
  id: string;
  size: number;
  /** When the signed upload URL stopped working (ISO time), if the server said. */
  expiresAt?: string;
}

/**
 * PUT to the API for a signed URL (307), then PUT the bytes there. The redirect is followed
 * by hand (Node 20's fetch cannot re-send byte bodies after a 307) and, like a followed
 * redirect, re-sends the metadata headers: MinIO URLs are signed for exactly them.
 */
export async function upload(
  http: Http,
  path: string,
  body: UploadBody,
  headers: Record<string, string>,
  options: UploadOptions & { knownId?: string } = {},
): Promise<UploadResult> {
  const blob = toBlob(body, options.contentType);
  const grant = await http.send('PUT', path, { headers, redirect: 'manual', signal: options.signal });
  if (grant.type === 'opaqueredirect') return followInBrowser(http, path, blob, headers, options);
  const location = grant.headers.get('location');
  if (!location) throw new Error(`PUT ${path} answered ${grant.status} without a Location to upload to`);
  const info = (await grant.json().catch(() => ({}))) as { id?: string; expiresAt?: string | number };
  const id = grant.headers.get('x-object-id') ?? info.id ?? options.knownId;
  if (!id) throw new Error(`PUT ${path} did not say which id it assigned (no X-Object-Id header)`);
  const target = new URL(location, http.url(path)).href;
  await http.raw('PUT', target, {
    headers: { ...headers, 'Content-Type': blob.type || 'application/octet-stream', 'Content-Length': String(blob.size) },
    body: options.onProgress ? countingStream(blob, options.onProgress) : blob,
    signal: options.signal,
  }, `PUT ${http.url(path)} (signed upload)`);
  const expiresAt = info.expiresAt == null ? undefined : new Date(info.expiresAt).toISOString();
  return { id, size: blob.size, ...(expiresAt ? { expiresAt } : {}) };
}

/** Browsers hide a manual redirect's Location; fetch can follow a 307 itself with a Blob body (and the same headers). */
async function followInBrowser(http: Http, path: string, blob: Blob, headers: Record<string, string>, options: UploadOptions & { knownId?: string }) {
  if (!options.knownId) throw new Error(`Uploading to ${path} from a browser needs an explicit id (the generated one is in a redirect the page cannot read)`);
  await http.send('PUT', path, { headers, body: blob, signal: options.signal });
  return { id: options.knownId, size: blob.size };
}

function toBlob(body: UploadBody, contentType?: string): Blob {
  if (body instanceof Blob) return contentType && contentType !== body.type ? new Blob([body], { type: contentType }) : body;
  return new Blob([body as BlobPart], { type: contentType ?? (typeof body === 'string' ? 'text/plain' : 'application/octet-stream') });
}

function countingStream(blob: Blob, onProgress: (sent: number, total: number) => void): ReadableStream<Uint8Array> {
  let sent = 0;
  return blob.stream().pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        sent += chunk.byteLength;
        onProgress(sent, blob.size);
        controller.enqueue(chunk);
      },
    }),
  );
}
