import { randomInt } from 'node:crypto';
import { and, asc, eq, gte } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { batches } from '../../db/schema/batches.js';
import { batchStatements } from './batch-statements.js';

export type Batch = typeof batches.$inferSelect;
/** A batch as the batcher produces it; the repository assigns model, dataset and ordinal. */
export type NewBatch = Omit<typeof batches.$inferInsert, 'model' | 'dataset' | 'ordinal' | 'createdAt'>;

/** The batch index of every model: listing, random pick and atomic replacement of a dataset's set. */
export function batchRepo(db: Db) {
  const statements = batchStatements(db);
  const countOf = (model: string) => statements.count.get(model) ?? 0;

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
      return count === 0 ? null : (statements.idAt.get(model, randomInt(count)) ?? null);
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
          const ofDataset = and(eq(batches.model, model), eq(batches.dataset, dataset));
          const old = tx.select({ id: batches.id, ordinal: batches.ordinal }).from(batches).where(ofDataset).orderBy(asc(batches.ordinal)).all();
          const total = countOf(model);
          tx.delete(batches).where(ofDataset).run();

          const holes = old.map((r) => r.ordinal);
          rows.forEach((row, i) =>
            statements.insert.run({
              ...row,
              model,
              dataset,
              ordinal: i < holes.length ? holes[i] : total + i - holes.length,
              dataShape: JSON.stringify(row.dataShape),
              labelShape: JSON.stringify(row.labelShape),
              dataEtag: row.dataEtag ?? null,
              labelEtag: row.labelEtag ?? null,
            }),
          );

          const newTotal = total - old.length + rows.length;
          const gaps = holes.slice(rows.length).filter((o) => o < newTotal);
          if (gaps.length > 0) {
            const movers = tx
              .select({ id: batches.id })
              .from(batches)
              .where(and(eq(batches.model, model), gte(batches.ordinal, newTotal)))
              .all();
            movers.forEach((m, i) => statements.move.run({ model, id: m.id, ordinal: gaps[i] }));
          }
          return old.map((r) => r.id);
        },
        { behavior: 'immediate' },
      );
    },
  };
}
