import type * as Minio from 'minio';
import type { Readable } from 'node:stream';
import { storeCall } from './minio-calls.js';

/** Cuts a stream into buffers of exactly `size` bytes, the last one shorter; nothing for an empty stream. */
async function* parts(body: Readable, size: number): AsyncGenerator<Buffer> {
  let chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    const buf: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    chunks.push(buf);
    length += buf.length;
    while (length >= size) {
      const all = Buffer.concat(chunks, length);
      yield all.subarray(0, size);
      const rest = all.subarray(size);
      chunks = rest.length > 0 ? [rest] : [];
      length = rest.length;
    }
  }
  if (length > 0) yield Buffer.concat(chunks, length);
}

/**
 * Streams `body` of unknown length into `key` holding one part in memory at a time: one
 * PUT when it fits in a part, else a multipart upload (aborted on failure, so no half
 * object appears). We drive the parts ourselves because the client's own streaming
 * upload first lists incomplete uploads to resume one, which s3rver does not implement
 * and which could resume someone else's stale upload of the same key. Errors of the body
 * (a client hanging up) pass through unchanged; store failures become store errors.
 */
export async function putStream(
  client: Minio.Client,
  bucket: string,
  key: string,
  body: Readable,
  contentType: string,
  partSize: number,
): Promise<void> {
  const iterator = parts(body, partSize);
  const first = (await iterator.next()).value ?? Buffer.alloc(0);
  if (first.length < partSize) {
    await storeCall(`writing ${key}`, () => client.putObject(bucket, key, first, first.length, { 'Content-Type': contentType }));
    return;
  }
  const uploadId = await storeCall(`starting an upload of ${key}`, () =>
    client.initiateNewMultipartUpload(bucket, key, { 'Content-Type': contentType }),
  );
  try {
    const etags: { part: number; etag: string }[] = [];
    let part: Buffer | undefined = first;
    for (let partNumber = 1; part; partNumber++) {
      const payload: Buffer = part;
      const uploaded = await storeCall(`writing part ${partNumber} of ${key}`, () =>
        client.uploadPart({ bucketName: bucket, objectName: key, uploadID: uploadId, partNumber, headers: {} }, payload),
      );
      etags.push({ part: partNumber, etag: uploaded.etag });
      part = (await iterator.next()).value ?? undefined;
    }
    await storeCall(`completing the upload of ${key}`, () => client.completeMultipartUpload(bucket, key, uploadId, etags));
  } catch (err) {
    await client.abortMultipartUpload(bucket, key, uploadId).catch(() => {});
    throw err;
  }
}
