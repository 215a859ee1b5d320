import type { Readable } from 'node:stream';
import type { Config } from '../config.js';
import { BackendError } from '../errors.js';
import { storeCall, storeCallOrNull } from './minio-calls.js';
import { PresigningClient } from './minio-presign.js';
import { transportWithDeadlines } from './minio-transport.js';
import { putStream } from './minio-upload.js';
import { assertSafeKey } from './object-key.js';
import type { ObjectInfo, ObjectStore } from './object-store.js';

/** Deadline for the store to accept a connection, and to answer once a request is sent. */
const defaultTimeoutMs = 10_000;
// A streamed write holds one part in memory; 16 MiB parts allow objects up to 160 GiB.
const partSize = 16 * 1024 * 1024;
// Objects of one writeAll sent at a time.
const parallelWrites = 16;
// S3 deletes at most 1000 keys per request.
const deleteBatch = 1000;

/**
 * Objects in one MinIO/S3 bucket. The client is built on the public endpoint because a
 * presigned URL signs its host, and with `region` set presigning needs no network call.
 */
export function createMinioStore(config: Config, options: { timeoutMs?: number } = {}): ObjectStore {
  const bucket = config.MINIO_BUCKET;
  const client = new PresigningClient({
    endPoint: config.MINIO_ENDPOINT,
    port: config.MINIO_PORT,
    useSSL: config.MINIO_USE_SSL,
    accessKey: config.MINIO_ACCESS_KEY,
    secretKey: config.MINIO_SECRET_KEY,
    region: config.MINIO_REGION,
    partSize,
    transport: transportWithDeadlines(config.MINIO_USE_SSL, options.timeoutMs ?? defaultTimeoutMs),
  });

  const stat = async (key: string): Promise<ObjectInfo | null> => {
    assertSafeKey(key);
    const s = await storeCallOrNull(`stat of ${key}`, () => client.statObject(bucket, key));
    return (
      s && {
        size: s.size,
        etag: `"${s.etag}"`,
        lastModified: s.lastModified,
        contentType: String(s.metaData['content-type'] ?? 'application/octet-stream'),
      }
    );
  };

  return {
    kind: 'minio',
    lateUploadGraceMs: config.MINIO_UPLOAD_GRACE_SECONDS * 1000,

    async init() {
      const exists = await storeCall(`checking bucket ${bucket}`, () => client.bucketExists(bucket));
      if (exists) return;
      await storeCall(`creating bucket ${bucket}`, () => client.makeBucket(bucket, config.MINIO_REGION)).catch((err) => {
        // Another coordinator created it between our check and our request.
        if ((err.cause as { code?: string })?.code !== 'BucketAlreadyOwnedByYou') throw err;
      });
    },

    async presignGet(key, expirySeconds) {
      assertSafeKey(key);
      return storeCall(`presigning GET ${key}`, () => client.presignedGetObject(bucket, key, expirySeconds));
    },

    async presignPut(key, expirySeconds, signedHeaders) {
      assertSafeKey(key);
      return storeCall(`presigning PUT ${key}`, async () => client.presignPutWithHeaders(bucket, key, expirySeconds, signedHeaders));
    },

    stat,

    async read(key, range) {
      assertSafeKey(key);
      return storeCallOrNull<Readable>(`reading ${key}`, () =>
        range
          ? client.getPartialObject(bucket, key, range.start, range.end - range.start + 1)
          : client.getObject(bucket, key),
      );
    },

    async write(key, body, contentType = 'application/octet-stream') {
      assertSafeKey(key);
      if (body instanceof Uint8Array) {
        const data = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
        await storeCall(`writing ${key}`, () => client.putObject(bucket, key, data, data.length, { 'Content-Type': contentType }));
      } else {
        await putStream(client, bucket, key, body, contentType, partSize);
      }
      const info = await stat(key);
      if (!info) throw new BackendError('store', `MinIO: ${key} is missing right after being written.`);
      return info;
    },

    async writeAll(objects) {
      objects.forEach(({ key }) => assertSafeKey(key));
      const etags: string[] = [];
      for (let i = 0; i < objects.length; i += parallelWrites) {
        const written = await Promise.all(
          objects.slice(i, i + parallelWrites).map(({ key, body }) => {
            const data = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
            return storeCall(`writing ${key}`, () => client.putObject(bucket, key, data, data.length, { 'Content-Type': 'application/octet-stream' }));
          }),
        );
        etags.push(...written.map((w) => w.etag));
      }
      return etags;
    },

    async remove(keysToRemove) {
      keysToRemove.forEach(assertSafeKey);
      for (let i = 0; i < keysToRemove.length; i += deleteBatch) {
        const batch = keysToRemove.slice(i, i + deleteBatch);
        await storeCall('removing objects', () => client.removeObjects(bucket, batch));
      }
    },

    async *list(prefix) {
      let token = '';
      do {
        const page = await storeCall(`listing ${prefix}`, () => client.listObjectsV2Query(bucket, prefix, token, '', 1000, ''));
        for (const item of page.objects) if (item.name) yield item.name;
        token = page.isTruncated ? page.nextContinuationToken : '';
      } while (token);
    },
  };
}
