import { and, eq } from 'drizzle-orm';
import { readFileSync } from 'node:fs';
import { parsers } from '../db/schema/uploads.js';
import type { Deps } from '../app/env.js';
import { keys } from '../app/storage/object-store.js';

/** Parsers shipped with the server, so MNIST-format and CSV data batch without writing Lua. */
export const BUNDLED_PARSERS = [
  { id: 'idx-images', name: 'MNIST IDX images (bundled)' },
  { id: 'idx-labels', name: 'MNIST IDX labels (bundled)' },
  { id: 'csv', name: 'Numeric CSV (bundled)' },
] as const;

/** The source of a bundled parser, read from lua/parsers/<id>.lua. */
export function bundledParserSource(id: (typeof BUNDLED_PARSERS)[number]['id']): Buffer {
  return readFileSync(new URL(`./parsers/${id}.lua`, import.meta.url));
}

/** How long the id is held as pending while its object is written (a crash drops the claim). */
const CLAIM_MS = 5 * 60 * 1000;

/**
 * Stores each bundled parser and lists it as ready, unless a parser of that id (a user's,
 * or one registered at an earlier start) exists: those are never overwritten. Runs at
 * start-up, after the sweep, so no upload is in flight.
 */
export async function registerBundledParsers({ db, store }: Pick<Deps, 'db' | 'store'>): Promise<void> {
  for (const { id, name } of BUNDLED_PARSERS) {
    // Claim the id first, so a user's upload of the same id can never be overwritten. A
    // pending row under the bundled name is a claim an earlier start left when it died
    // before storing the object (the sweep has already made it ready if the object exists):
    // take it back rather than leave the parser missing.
    const expiresAt = Date.now() + CLAIM_MS;
    const claimed =
      db.insert(parsers).values({ id, name, status: 'pending', expiresAt }).onConflictDoNothing().run().changes === 1 ||
      db
        .update(parsers)
        .set({ expiresAt })
        .where(and(eq(parsers.id, id), eq(parsers.name, name), eq(parsers.status, 'pending')))
        .run().changes === 1;
    if (!claimed) continue;
    let info;
    try {
      info = await store.write(keys.parser(id), bundledParserSource(id), 'text/x-lua');
    } catch (error) {
      db.delete(parsers).where(and(eq(parsers.id, id), eq(parsers.status, 'pending'))).run();
      throw error;
    }
    db.update(parsers)
      .set({ status: 'ready', size: info.size, etag: info.etag, contentType: info.contentType, updatedAt: Date.now() })
      .where(and(eq(parsers.id, id), eq(parsers.status, 'pending')))
      .run();
  }
}
