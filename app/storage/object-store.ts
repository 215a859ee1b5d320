import type { Readable } from 'node:stream';
import type { ByteRange } from './byte-range.js';

export interface ObjectInfo {
  size: number;
  etag: string;
  lastModified: Date;
  contentType: string;
}

/**
 * Where object bytes live. The app only signs URLs for clients and streams objects for
 * server-side work (batching); clients move bytes straight to and from the store.
 * Every method throws BackendError('store', ...) when the store itself fails.
 */
export interface ObjectStore {
  readonly kind: 'embedded' | 'minio';
  /**
   * How long past its URL's expiry an upload that started in time may still be arriving
   * unseen by the app (ms). MinIO checks a URL when the upload starts and the app cannot see
   * it in progress (nor tell it from one never started), so a pending entry is kept this
   * much longer before its id is freed. The embedded store sees its uploads in progress
   * (upload-state.ts) and needs none: 0.
   */
  readonly lateUploadGraceMs: number;
  /** Creates the bucket/folder if missing and checks the store answers. */
  init(): Promise<void>;
  /** A URL a client can GET the object from until `expirySeconds` pass. */
  presignGet(key: string, expirySeconds: number): Promise<string>;
  /**
   * A URL a client can PUT the object's bytes to until `expirySeconds` pass. MinIO signs
   * `signedHeaders` (lower-case names, values as Node's HTTP layer hands them over) so the
   * PUT must carry exactly them; the embedded store ignores extra headers.
   */
  presignPut(key: string, expirySeconds: number, signedHeaders?: Record<string, string>): Promise<string>;
  /** Metadata of an object, or null when it does not exist. */
  stat(key: string): Promise<ObjectInfo | null>;
  /** The object's bytes (or the inclusive `range` of them) as a stream, or null when it does not exist. */
  read(key: string, range?: ByteRange): Promise<Readable | null>;
  /** Stores `body` under `key` atomically: readers see the old object or the whole new one. */
  write(key: string, body: Readable | Uint8Array, contentType?: string): Promise<ObjectInfo>;
  /**
   * Stores several objects, each atomically as `write` does, all durable once it resolves:
   * cheaper than a `write` each (the embedded store syncs them in one pass). Resolves to
   * their ETags, in order (as `stat` and downloads report them). After a failure any of
   * them may or may not exist.
   */
  writeAll(objects: { key: string; body: Uint8Array }[]): Promise<string[]>;
  /** Removes objects; missing keys are not an error. */
  remove(keys: string[]): Promise<void>;
  /** Every key under `prefix` (for start-up sweeps; never on a request's hot path). */
  list(prefix: string): AsyncIterable<string>;
}

/** Object keys, one function per kind of object (DESIGN.md "Storage"). */
export const keys = {
  model: (id: string) => `models/${id}`,
  parser: (id: string) => `parsers/${id}`,
  dataset: (kind: 'data' | 'labels', model: string, id: string) => `${kind}/${model}/${id}`,
  batch: (model: string, batch: string, part: 'data' | 'labels') => `batches/${model}/${batch}/${part}`,
};
