import { and, asc, eq, lte, sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { models, parsers } from '../../db/schema/uploads.js';
import { keys, type ObjectStore } from '../storage/object-store.js';
import { oncePerDb } from './prepared.js';
import { uploadRepository } from './uploads.js';

/** A model or parser row: both carry an id, a name and the upload state. */
export type NamedEntry = typeof models.$inferSelect;

/** Models and parsers have the same columns; only the table and the object key differ. */
function namedUploads(db: Db, store: ObjectStore, table: typeof models | typeof parsers, objectKey: (id: string) => string) {
  // The two tables are structurally identical; one typed view keeps drizzle's inference simple.
  const t = table as typeof models;
  const selectById = db.select().from(t).where(eq(t.id, sql.placeholder('id'))).prepare();
  return uploadRepository<NamedEntry, { name: string }>(db, store, {
    objectKey,
    select: (id) => selectById.get({ id }),
    selectPending: () => db.select().from(t).where(eq(t.status, 'pending')).all(),
    selectReadyIds: () =>
      db.select({ id: t.id }).from(t).where(eq(t.status, 'ready')).orderBy(asc(t.id)).all().map((r) => r.id),
    insertPending: (id, { name }, expiresAt) =>
      db.insert(t).values({ id, name, expiresAt }).onConflictDoNothing().run().changes === 1,
    dropExpired: (id, expiredBy) => {
      db.delete(t).where(and(eq(t.id, id), eq(t.status, 'pending'), lte(t.expiresAt, expiredBy))).run();
    },
  });
}

type NamedUploads = ReturnType<typeof namedUploads>;

/** Built once per database and store: `GET /model/:id` is the hottest read of the API. */
function cached(db: Db, store: ObjectStore, name: 'models' | 'parsers', build: () => NamedUploads): NamedUploads {
  const byStore = oncePerDb(db, `${name}.repositories`, () => new WeakMap<ObjectStore, NamedUploads>());
  let repository = byStore.get(store);
  if (!repository) byStore.set(store, (repository = build()));
  return repository;
}

/** Repository of uploaded models (`models/<id>`). */
export const modelUploads = (db: Db, store: ObjectStore) =>
  cached(db, store, 'models', () => namedUploads(db, store, models, keys.model));

/** Repository of uploaded parsers (`parsers/<id>`). */
export const parserUploads = (db: Db, store: ObjectStore) =>
  cached(db, store, 'parsers', () => namedUploads(db, store, parsers, keys.parser));
