import { sql } from 'drizzle-orm';
import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Columns every uploaded object shares. An entry is `pending` from the moment its signed
 * PUT URL is handed out until the object exists in the store; then it is `ready`.
 * Pending entries that expired without an object are dropped.
 */
const uploadColumns = () => ({
  status: text('status', { enum: ['pending', 'ready'] }).notNull().default('pending'),
  /**
   * Until when a pending entry waits for its object (ms since epoch): when its signed
   * upload URL stops working, plus MINIO_UPLOAD_GRACE_SECONDS with MinIO.
   */
  expiresAt: integer('expires_at').notNull(),
  size: integer('size'),
  etag: text('etag'),
  contentType: text('content_type'),
  createdAt: integer('created_at').notNull().default(sql`(unixepoch('subsec') * 1000)`),
  updatedAt: integer('updated_at').notNull().default(sql`(unixepoch('subsec') * 1000)`),
});

export const models = sqliteTable('models', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  ...uploadColumns(),
});

export const parsers = sqliteTable('parsers', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  ...uploadColumns(),
});

/** Datasets and labelsets of a model: the same columns, told apart by `kind`. */
export const datasets = sqliteTable(
  'datasets',
  {
    model: text('model')
      .notNull()
      .references(() => models.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['data', 'labels'] }).notNull(),
    id: text('id').notNull(),
    /** Shape of one record, JSON array of positive integers. */
    shape: text('shape', { mode: 'json' }).$type<number[]>().notNull(),
    parser: text('parser').notNull(),
    ...uploadColumns(),
  },
  (t) => [primaryKey({ columns: [t.model, t.kind, t.id] })],
);
