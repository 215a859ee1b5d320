import type { Statement } from 'better-sqlite3';
import type { Db } from '../../db/open.js';

/**
 * Prepared SQLite statements for the batch index's two hot paths: the random pick every
 * worker makes before every batch, and the bulk insert of a set swap, which holds the
 * event loop for its whole transaction (up to MAX_BATCHES_PER_DATASET rows). Built by
 * drizzle each call these cost 20-180 us; prepared once per connection, 2-6 us.
 */
export interface BatchStatements {
  /** Number of batches of a model (ordinals are dense: max + 1). */
  count: Statement<[string], number | null>;
  /** The batch id at an ordinal. */
  idAt: Statement<[string, number], string>;
  insert: Statement<[InsertRow]>;
  /** Moves a batch to another ordinal. */
  move: Statement<[{ model: string; id: string; ordinal: number }]>;
}

export interface InsertRow {
  model: string;
  id: string;
  ordinal: number;
  dataset: string;
  count: number;
  dataShape: string;
  labelShape: string;
  dataDtype: string;
  labelDtype: string;
  dataSize: number;
  labelSize: number;
  dataEtag: string | null;
  labelEtag: string | null;
}

const prepared = new WeakMap<Db, BatchStatements>();

/** The statements of `db`'s connection, prepared on first use. */
export function batchStatements(db: Db): BatchStatements {
  let statements = prepared.get(db);
  if (!statements) {
    const sqlite = db.$client;
    statements = {
      count: sqlite.prepare<[string], number | null>('SELECT max(ordinal) + 1 FROM batches WHERE model = ?').pluck(),
      idAt: sqlite.prepare<[string, number], string>('SELECT id FROM batches WHERE model = ? AND ordinal = ?').pluck(),
      insert: sqlite.prepare<[InsertRow]>(
        `INSERT INTO batches (model, id, ordinal, dataset, count, data_shape, label_shape, data_dtype, label_dtype, data_size, label_size, data_etag, label_etag)
         VALUES (@model, @id, @ordinal, @dataset, @count, @dataShape, @labelShape, @dataDtype, @labelDtype, @dataSize, @labelSize, @dataEtag, @labelEtag)`,
      ),
      move: sqlite.prepare<[{ model: string; id: string; ordinal: number }]>('UPDATE batches SET ordinal = @ordinal WHERE model = @model AND id = @id'),
    };
    prepared.set(db, statements);
  }
  return statements;
}
