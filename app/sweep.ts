import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { batches } from '../db/schema/batches.js';
import { datasets } from '../db/schema/uploads.js';
import { datasetUploads } from './repos/dataset-uploads.js';
import { modelUploads, parserUploads } from './repos/named-uploads.js';
import { expectsUpload } from './repos/upload-state.js';
import type { ObjectStore } from './storage/object-store.js';

export interface SweepReport {
  /** Pending uploads that expired with no object: their rows were dropped. */
  expiredUploads: number;
  /** Store objects no index row referenced: removed. */
  orphanObjects: number;
}

/** Settles every pending upload: ready if its object arrived, dropped if it expired without one. */
async function settlePendingUploads(db: Db, store: ObjectStore): Promise<void> {
  await modelUploads(db, store).listReady();
  await parserUploads(db, store).listReady();
  const scopes = db
    .selectDistinct({ model: datasets.model, kind: datasets.kind })
    .from(datasets)
    .where(eq(datasets.status, 'pending'))
    .all();
  for (const { model, kind } of scopes) await datasetUploads(db, store, model, kind).listReady();
}

/** Rows in the upload tables, pending or ready (dropping a model cascades to its datasets). */
const uploadRowCount = (db: Db) =>
  (
    db.$client
      .prepare('select (select count(*) from models) + (select count(*) from parsers) + (select count(*) from datasets) as n')
      .get() as { n: number }
  ).n;

/**
 * Whether an index row refers to `key`. Keys outside the layout of `keys` are not ours to
 * judge, so they count as referenced and are left alone.
 */
function isReferenced(db: Db, key: string): boolean {
  const parts = key.split('/');
  const [prefix, model, id, part] = parts;
  if (prefix === 'batches' && parts.length === 4 && (part === 'data' || part === 'labels')) {
    return db.select({ id: batches.id }).from(batches).where(and(eq(batches.model, model), eq(batches.id, id))).get() !== undefined;
  }
  const uploadKey =
    ((prefix === 'models' || prefix === 'parsers') && parts.length === 2) ||
    ((prefix === 'data' || prefix === 'labels') && parts.length === 3);
  return uploadKey ? expectsUpload(db, key) : true;
}

/**
 * The start-up sweep (run before serving, so no upload or batching run is in flight):
 * settles pending uploads, then removes objects no row references — batches written by
 * a run that crashed before its index swap, or replaced by one that crashed before
 * removing them. Referenced objects are never touched.
 */
export async function sweepStore(db: Db, store: ObjectStore): Promise<SweepReport> {
  const rowsBefore = uploadRowCount(db);
  await settlePendingUploads(db, store);
  const expiredUploads = rowsBefore - uploadRowCount(db);
  const orphans: string[] = [];
  for await (const key of store.list('')) if (!isReferenced(db, key)) orphans.push(key);
  for (let i = 0; i < orphans.length; i += 500) await store.remove(orphans.slice(i, i + 500));
  return { expiredUploads, orphanObjects: orphans.length };
}
