import { and, asc, eq, lte, sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { datasets } from '../../db/schema/uploads.js';
import { keys, type ObjectStore } from '../storage/object-store.js';
import { oncePerDb } from './prepared.js';
import { uploadRepository } from './uploads.js';

export type DatasetKind = 'data' | 'labels';
export type DatasetEntry = typeof datasets.$inferSelect;
export interface DatasetMeta {
  shape: number[];
  parser: string;
}

/** Repository of one model's datasets or labelsets (`<kind>/<model>/<id>`). */
export function datasetUploads(db: Db, store: ObjectStore, model: string, kind: DatasetKind) {
  const scope = and(eq(datasets.model, model), eq(datasets.kind, kind));
  const selectById = oncePerDb(db, 'datasets.byId', () =>
    db
      .select()
      .from(datasets)
      .where(
        and(
          eq(datasets.model, sql.placeholder('model')),
          eq(datasets.kind, sql.placeholder('kind')),
          eq(datasets.id, sql.placeholder('id')),
        ),
      )
      .prepare(),
  );
  return uploadRepository<DatasetEntry, DatasetMeta>(db, store, {
    objectKey: (id) => keys.dataset(kind, model, id),
    select: (id) => selectById.get({ model, kind, id }),
    selectPending: () => db.select().from(datasets).where(and(scope, eq(datasets.status, 'pending'))).all(),
    selectReadyIds: () =>
      db
        .select({ id: datasets.id })
        .from(datasets)
        .where(and(scope, eq(datasets.status, 'ready')))
        .orderBy(asc(datasets.id))
        .all()
        .map((r) => r.id),
    insertPending: (id, { shape, parser }, expiresAt) =>
      db.insert(datasets).values({ model, kind, id, shape, parser, expiresAt }).onConflictDoNothing().run().changes === 1,
    dropExpired: (id, expiredBy) => {
      db.delete(datasets)
        .where(and(scope, eq(datasets.id, id), eq(datasets.status, 'pending'), lte(datasets.expiresAt, expiredBy)))
        .run();
    },
  });
}
