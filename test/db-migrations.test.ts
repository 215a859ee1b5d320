import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openDatabase } from '../db/open.js';

const migrations = new URL('../db/migrations/', import.meta.url);
const journal = JSON.parse(readFileSync(new URL('meta/_journal.json', migrations), 'utf8')) as { entries: { tag: string; when: number }[] };

/** A database as a build that only had the first migration left it: that migration applied and recorded. */
function databaseAtFirstMigration(file: string): Database.Database {
  const sqlite = new Database(file);
  const [first] = journal.entries;
  for (const statement of readFileSync(new URL(`${first.tag}.sql`, migrations), 'utf8').split('--> statement-breakpoint')) sqlite.exec(statement);
  sqlite.exec('CREATE TABLE __drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)');
  sqlite.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run('first', first.when);
  return sqlite;
}

let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

it('upgrades a database that already holds batches, giving each model dense batch ordinals', () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'webml-migrate-'));
  const file = path.join(dir, 'webml.sqlite');
  const old = databaseAtFirstMigration(file);
  old.exec("INSERT INTO models (id, name, status, expires_at) VALUES ('a', 'a', 'ready', 0), ('b', 'b', 'ready', 0)");
  const insert = old.prepare(
    `INSERT INTO batches (model, id, dataset, count, data_shape, label_shape, data_dtype, label_dtype, data_size, label_size, created_at)
     VALUES (?, ?, 'd', 1, '[1,1]', '[1,1]', 'uint8', 'uint8', 1, 1, ?)`,
  );
  for (const [model, id, at] of [['a', 'a1', 1], ['a', 'a2', 2], ['a', 'a3', 2], ['b', 'b1', 5]] as const) insert.run(model, id, at);
  old.close();

  const db = openDatabase(file);
  const rows = db.$client.prepare('SELECT model, id, ordinal FROM batches ORDER BY model, ordinal').all();
  // Batches cut before their objects' ETags were kept have none (HEAD then sends no ETag).
  const etags = db.$client.prepare('SELECT DISTINCT data_etag, label_etag FROM batches').all();
  db.$client.close();
  expect(etags).toEqual([{ data_etag: null, label_etag: null }]);
  expect(rows).toEqual([
    { model: 'a', id: 'a1', ordinal: 0 },
    { model: 'a', id: 'a2', ordinal: 1 },
    { model: 'a', id: 'a3', ordinal: 2 },
    { model: 'b', id: 'b1', ordinal: 0 },
  ]);
});
