import type { Db } from '../../db/open.js';

const built = new WeakMap<Db, Map<string, unknown>>();

/**
 * A value built once per database, for hot paths: prepared statements (drizzle otherwise
 * rebuilds the SQL and better-sqlite3 re-prepares it on every call, ~110 µs against ~7 µs
 * to run it) and repositories (a dozen closures per request add up on a redirect route).
 */
export function oncePerDb<T>(db: Db, name: string, build: () => T): T {
  let byName = built.get(db);
  if (!byName) built.set(db, (byName = new Map()));
  if (!byName.has(name)) byName.set(name, build());
  return byName.get(name) as T;
}
