import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { models } from './uploads.js';

/**
 * One row per batch of a model. A dataset's batches are replaced in one transaction, so
 * readers see the old set or the new one, never a mix.
 */
export const batches = sqliteTable(
  'batches',
  {
    model: text('model')
      .notNull()
      .references(() => models.id, { onDelete: 'cascade' }),
    id: text('id').notNull(),
    /**
     * Dense position among the model's batches (0..count-1, kept gap-free when a set is
     * replaced), so a uniformly random batch is two index lookups, not an OFFSET scan.
     */
    ordinal: integer('ordinal').notNull(),
    /** Source dataset (and labelset: they share the id). */
    dataset: text('dataset').notNull(),
    count: integer('count').notNull(),
    dataShape: text('data_shape', { mode: 'json' }).$type<number[]>().notNull(),
    labelShape: text('label_shape', { mode: 'json' }).$type<number[]>().notNull(),
    dataDtype: text('data_dtype', { enum: ['uint8', 'float32'] }).notNull(),
    labelDtype: text('label_dtype', { enum: ['uint8', 'float32'] }).notNull(),
    dataSize: integer('data_size').notNull(),
    labelSize: integer('label_size').notNull(),
    /** The store's ETags of the two objects, as HEAD reports them (null for batches cut before they were kept). */
    dataEtag: text('data_etag'),
    labelEtag: text('label_etag'),
    createdAt: integer('created_at').notNull().default(sql`(unixepoch('subsec') * 1000)`),
  },
  (t) => [
    primaryKey({ columns: [t.model, t.id] }),
    index('batches_by_dataset').on(t.model, t.dataset),
    uniqueIndex('batches_by_ordinal').on(t.model, t.ordinal),
  ],
);
