import * as Minio from 'minio';
import { presignSignatureV4 } from 'minio/dist/esm/signing.mjs';

/**
 * A MinIO client that presigns PUTs with headers covered by the signature. `curl -L` and
 * fetch re-send a request's headers (x-amz-meta-*) to the redirect target, and MinIO and
 * S3 refuse x-amz-* headers the signature does not cover.
 */
export class PresigningClient extends Minio.Client {
  /**
   * A SigV4 query-presigned PUT URL for `key` that is valid only when sent with exactly
   * `headers` (besides Host); with none it is MinIO's ordinary presigned PUT URL. Needs
   * `region` set on the client, so no network call is made.
   */
  presignPutWithHeaders(bucket: string, key: string, expirySeconds: number, headers: Record<string, string> = {}): string {
    const region = this.region;
    if (!region) throw new Error('PresigningClient needs a region to presign without a network call');
    const signed = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), canonicalValue(value)]));
    // Builds host and path exactly as the client's own presignedPutObject does (path or virtual-host style).
    const request = this.getRequestOptions({ method: 'PUT', region, bucketName: bucket, objectName: key, headers: signed });
    return presignSignatureV4(request, this.accessKey, this.secretKey, this.sessionToken, region, new Date(), expirySeconds);
  }
}

/**
 * A header value as the store canonicalizes what arrives on the wire: whitespace runs
 * collapsed to one space (MinIO's signV4TrimAll; minio-js only collapses spaces), and the
 * raw bytes (Node hands them over as latin1) read as UTF-8, since minio-js hashes UTF-8.
 */
function canonicalValue(value: string): string {
  return Buffer.from(value.trim().replace(/[ \t]+/g, ' '), 'latin1').toString('utf8');
}
