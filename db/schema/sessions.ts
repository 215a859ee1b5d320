import { sql } from 'drizzle-orm';
import { blob, index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { models } from './uploads.js';

/** A training session: the center weights (float64 little-endian) and how new weights merge in. */
export const sessions = sqliteTable(
  'sessions',
  {
    model: text('model')
      .notNull()
      .references(() => models.id, { onDelete: 'cascade' }),
    id: text('id').notNull(),
    shape: text('shape', { mode: 'json' }).$type<number[]>().notNull(),
    alpha: real('alpha').notNull(),
    loss: real('loss').notNull(),
    weights: blob('weights', { mode: 'buffer' }).notNull(),
    /** Grows by one per merged update. */
    version: integer('version').notNull().default(0),
    createdAt: integer('created_at').notNull().default(sql`(unixepoch('subsec') * 1000)`),
    updatedAt: integer('updated_at').notNull().default(sql`(unixepoch('subsec') * 1000)`),
  },
  (t) => [primaryKey({ columns: [t.model, t.id] })],
);

/** Every posted loss, for plotting a session's progress. */
export const sessionLosses = sqliteTable(
  'session_losses',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    model: text('model').notNull(),
    session: text('session').notNull(),
    version: integer('version').notNull(),
    loss: real('loss').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [index('session_losses_by_session').on(t.model, t.session, t.seq)],
);
