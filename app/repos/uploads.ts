import type { Db } from '../../db/open.js';
import { whenWritable } from '../../db/when-writable.js';
import type { ObjectStore } from '../storage/object-store.js';
import { isReceiving, markUploadReady } from './upload-state.js';

/** The upload-state columns every models/parsers/datasets row carries. */
export interface UploadEntry {
  id: string;
  status: 'pending' | 'ready';
  expiresAt: number;
}

/** The queries of one kind of upload; the life cycle around them is shared. */
export interface UploadRows<Entry extends UploadEntry, Meta> {
  objectKey(id: string): string;
  select(id: string): Entry | undefined;
  selectPending(): Entry[];
  /** Ids of ready rows, sorted. */
  selectReadyIds(): string[];
  /** Inserts a pending row; false when the id is already taken. */
  insertPending(id: string, meta: Meta, expiresAt: number): boolean;
  /** Deletes the row if it is still pending and expired at or before `expiredBy`. */
  dropExpired(id: string, expiredBy: number): void;
}

/** Ready ids remembered per repository; past it, further ids are simply looked up each time. */
const maxRememberedIds = 100_000;

/** When a signed upload URL handed out now stops working (ms since epoch). */
export function uploadExpiry(expirySeconds: number, now = Date.now()): number {
  return now + expirySeconds * 1000;
}

/**
 * The life cycle of DESIGN.md "Metadata index": an entry is pending from the moment its
 * upload URL is handed out; the first read or listing after the object exists marks it
 * ready (a stat), and one that expired without an object (and with no upload of it still
 * streaming into the embedded store) is dropped, freeing its id. An entry expires with its
 * upload URL, plus the store's late-upload grace (MinIO; see redirectToUpload).
 * Only pending entries ever cost a store call; the store is never listed.
 */
export function uploadRepository<Entry extends UploadEntry, Meta>(db: Db, store: ObjectStore, rows: UploadRows<Entry, Meta>) {
  /** A failing store throws BackendError (a 500): we cannot tell either way. */
  async function settle(entry: Entry): Promise<void> {
    const key = rows.objectKey(entry.id);
    const info = await store.stat(key);
    const now = Date.now();
    if (info) await whenWritable(() => markUploadReady(db, key, info));
    else if (entry.expiresAt <= now && !isReceiving(db, key)) await whenWritable(() => rows.dropExpired(entry.id, now));
  }

  // A ready entry never turns pending again and only pending rows are ever deleted, so an id
  // once seen ready stays ready: download redirects then skip the query (~5 µs of ~45).
  const readyIds = new Set<string>();

  async function find(id: string): Promise<Entry | null> {
    let entry = rows.select(id);
    if (entry?.status === 'pending') {
      await settle(entry);
      entry = rows.select(id);
    }
    if (entry?.status === 'ready' && readyIds.size < maxRememberedIds) readyIds.add(entry.id);
    return entry ?? null;
  }

  return {
    /** The entry (ready, or pending with a live upload URL), or null when there is none. */
    find,

    /** True when `find` has already seen the entry ready (no query); false only means "ask find". */
    knownReady: (id: string) => readyIds.has(id),

    /** Ids of the ready entries, sorted. */
    async listReady(): Promise<string[]> {
      const pending = rows.selectPending();
      // A few stats at a time so a long pending list cannot flood the store.
      for (let i = 0; i < pending.length; i += 8) await Promise.all(pending.slice(i, i + 8).map(settle));
      return rows.selectReadyIds();
    },

    /** Records a pending upload; returns the entry holding the id instead when it is taken. */
    async createPending(id: string, meta: Meta, expiresAt: number): Promise<{ taken: Entry | null }> {
      const existing = await find(id);
      if (existing) return { taken: existing };
      if (await whenWritable(() => rows.insertPending(id, meta, expiresAt))) return { taken: null };
      // A concurrent request claimed the id between find and insert.
      return { taken: rows.select(id) ?? null };
    },
  };
}
