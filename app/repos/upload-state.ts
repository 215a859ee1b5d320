import { and, eq, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { datasets, models, parsers } from '../../db/schema/uploads.js';
import type { ObjectInfo } from '../storage/object-store.js';

type UploadTable = typeof models | typeof parsers | typeof datasets;

/** The index row an uploaded object key belongs to (see `keys`), or null for keys no upload uses. */
function rowOf(key: string): { table: UploadTable; where: SQL | undefined } | null {
  const [prefix, a, b, ...rest] = key.split('/');
  if (rest.length > 0 || !a) return null;
  if (b === undefined) {
    if (prefix === 'models') return { table: models, where: eq(models.id, a) };
    if (prefix === 'parsers') return { table: parsers, where: eq(parsers.id, a) };
    return null;
  }
  if (prefix === 'data' || prefix === 'labels') {
    return { table: datasets, where: and(eq(datasets.kind, prefix), eq(datasets.model, a), eq(datasets.id, b)) };
  }
  return null;
}

// Keys whose body is streaming in right now, per database (in memory: a crash ends every upload).
const receiving = new WeakMap<Db, Map<string, number>>();

/**
 * Notes that the object under `key` is being received until the returned function is
 * called. A signed URL is checked when the upload starts, as S3 does, so an upload may
 * outlive its URL: its pending row must not be dropped meanwhile (see isReceiving).
 */
export function beginReceiving(db: Db, key: string): () => void {
  let keys = receiving.get(db);
  if (!keys) receiving.set(db, (keys = new Map()));
  keys.set(key, (keys.get(key) ?? 0) + 1);
  return () => {
    const left = keys.get(key)! - 1;
    if (left > 0) keys.set(key, left);
    else keys.delete(key);
  };
}

/** True while an upload of `key` is streaming into this server's store. */
export function isReceiving(db: Db, key: string): boolean {
  return receiving.get(db)?.has(key) ?? false;
}

/** The status and recorded type of the index row `key` belongs to, or undefined when there is none. */
function uploadRowOf(db: Db, key: string): { status: 'pending' | 'ready'; contentType: string | null } | undefined {
  const row = rowOf(key);
  if (!row) return undefined;
  // Same columns in every upload table; one typed view keeps drizzle's inference simple.
  const table = row.table as typeof models;
  return db.select({ status: table.status, contentType: table.contentType }).from(table).where(row.where).get();
}

/** True when an index row (pending or ready) is waiting for, or holds, the object under `key`. */
export function expectsUpload(db: Db, key: string): boolean {
  return uploadRowOf(db, key) !== undefined;
}

/**
 * The Content-Type recorded for the ready upload stored under `key`, or null (no such
 * upload, or a key no upload uses, such as a batch). The embedded store keeps no type of
 * its own; answering with the uploader's type is what S3 and MinIO do.
 */
export function uploadedContentType(db: Db, key: string): string | null {
  const found = uploadRowOf(db, key);
  return found?.status === 'ready' ? found.contentType : null;
}

/**
 * Marks the index row of `key` ready with the stored object's size, ETag and type (the
 * client's `contentType` when given, else the store's). Returns false when no row expects
 * that key (never requested, or dropped because its URL expired): the caller then removes
 * the object. A ready row is updated too, so a client re-sending the same upload while
 * its URL is still valid succeeds.
 */
export function markUploadReady(db: Db, key: string, info: ObjectInfo, contentType?: string): boolean {
  const row = rowOf(key);
  if (!row) return false;
  const table = row.table as typeof models;
  const result = db
    .update(table)
    .set({
      status: 'ready',
      size: info.size,
      etag: info.etag,
      contentType: contentType ?? info.contentType,
      // The object's own time, so HEAD's Last-Modified matches the store's.
      updatedAt: info.lastModified.getTime(),
    })
    .where(row.where)
    .run();
  return result.changes > 0;
}
