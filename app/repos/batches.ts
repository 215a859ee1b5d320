import { randomInt } from 'node:crypto';
import { and, asc, eq, gte, max } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { batches } from '../../db/schema/batches.js';

export type Batch = typeof batches.$inferSelect;
/** A batch as the batcher produces it; the repository assigns model, dataset and ordinal. */
export type NewBatch = Omit<typeof batches.$inferInsert, 'model' | 'dataset' | 'ordinal' | 'createdAt'>;

// 13 columns per row keeps a 400-row insert well under SQLite's 32766 bound variables.
const insertChunkRows = 400;

/** The batch index of every model: listing, random pick and atomic replacement of a dataset's set. */
export function batchRepo(db: Db) {
  const countOf = (model: string) =>
    (db.select({ top: max(batches.ordinal) }).from(batches).where(eq(batches.model, model)).get()?.top ?? -1) + 1;

  return {
    /** Every batch id of a model, in ordinal order. */
    listIds(model: string): string[] {
      return db
        .select({ id: batches.id })
        .from(batches)
        .where(eq(batches.model, model))
        .orderBy(asc(batches.ordinal))
        .all()
        .map((r) => r.id);
    },

    /** A uniformly random batch id of the model, or null when it has none (two index lookups). */
    randomId(model: string): string | null {
      const count = countOf(model);
      if (count === 0) return null;
      const ordinal = randomInt(count);
      const row = db
        .select({ id: batches.id })
        .from(batches)
        .where(and(eq(batches.model, model), eq(batches.ordinal, ordinal)))
        .get();
      return row?.id ?? null;
    },

    /** One batch, or null. */
    find(model: string, id: string): Batch | null {
      return db.select().from(batches).where(and(eq(batches.model, model), eq(batches.id, id))).get() ?? null;
    },

    /**
     * Swaps the dataset's batch set for `rows` in one synchronous transaction, keeping the
     * model's ordinals dense (new rows fill the old set's slots first; if the new set is
     * smaller, the model's highest ordinals move down into the remaining holes).
     * Returns the ids of the replaced batches so their objects can be removed.
     */
    replaceDatasetBatches(model: string, dataset: string, rows: NewBatch[]): string[] {
      return db.transaction(
        (tx) => {
          const old = tx
            .select({ id: batches.id, ordinal: batches.ordinal })
            .from(batches)
            .where(and(eq(batches.model, model), eq(batches.dataset, dataset)))
            .orderBy(asc(batches.ordinal))
            .all();
          const total = countOf(model);
          tx.delete(batches).where(and(eq(batches.model, model), eq(batches.dataset, dataset))).run();

          const holes = old.map((r) => r.ordinal);
          const ordinalOf = (i: number) => (i < holes.length ? holes[i] : total + i - holes.length);
          for (let start = 0; start < rows.length; start += insertChunkRows) {
            const values = rows
              .slice(start, start + insertChunkRows)
              .map((row, j) => ({ ...row, model, dataset, ordinal: ordinalOf(start + j) }));
            tx.insert(batches).values(values).run();
          }

          const newTotal = total - old.length + rows.length;
          const gaps = holes.slice(rows.length).filter((o) => o < newTotal);
          if (gaps.length > 0) {
            const movers = tx
              .select({ id: batches.id })
              .from(batches)
              .where(and(eq(batches.model, model), gte(batches.ordinal, newTotal)))
              .all();
            movers.forEach((m, i) =>
              tx
                .update(batches)
                .set({ ordinal: gaps[i] })
                .where(and(eq(batches.model, model), eq(batches.id, m.id)))
                .run(),
            );
          }
          return old.map((r) => r.id);
        },
        { behavior: 'immediate' },
      );
    },
  };
}
