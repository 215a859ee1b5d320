import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { ObjectInfo, ObjectStore } from '../app/storage/object-store.js';
import { openDatabase } from '../db/open.js';
import { parsers } from '../db/schema/uploads.js';
import { bundledParserSource, registerBundledParsers } from '../lua/bundled.js';

/** Just enough of a store to see what registration writes. */
function recordingStore() {
  const objects = new Map<string, Uint8Array>();
  const store = {
    async write(key: string, body: Uint8Array): Promise<ObjectInfo> {
      objects.set(key, body);
      return { size: body.length, etag: `"${key}"`, lastModified: new Date(), contentType: 'text/x-lua' };
    },
  } as unknown as ObjectStore;
  return { store, objects };
}

describe('registerBundledParsers', () => {
  it('stores idx-images, idx-labels and csv and lists them as ready', async () => {
    const db = openDatabase(':memory:');
    const { store, objects } = recordingStore();
    await registerBundledParsers({ db, store });
    const rows = db.select().from(parsers).all();
    expect(rows.map((r) => [r.id, r.status]).sort()).toEqual([
      ['csv', 'ready'],
      ['idx-images', 'ready'],
      ['idx-labels', 'ready'],
    ]);
    for (const row of rows) {
      const source = bundledParserSource(row.id as 'csv');
      expect(Buffer.from(objects.get(`parsers/${row.id}`)!).equals(source)).toBe(true);
      expect(row.size).toBe(source.length);
    }
  });

  it('never overwrites a parser of the same id, ready or still uploading', async () => {
    const db = openDatabase(':memory:');
    db.insert(parsers).values({ id: 'csv', name: 'mine', status: 'ready', expiresAt: 0, size: 3 }).run();
    db.insert(parsers).values({ id: 'idx-labels', name: 'uploading', expiresAt: Date.now() + 60_000 }).run();
    const { store, objects } = recordingStore();
    await registerBundledParsers({ db, store });
    expect([...objects.keys()]).toEqual(['parsers/idx-images']);
    expect(db.select().from(parsers).where(eq(parsers.id, 'csv')).get()).toMatchObject({ name: 'mine', size: 3 });
    expect(db.select().from(parsers).where(eq(parsers.id, 'idx-labels')).get()).toMatchObject({ name: 'uploading', status: 'pending' });
  });

  it('takes back its own claim left by a crash before the object was written, so the parser is not missing until the claim expires', async () => {
    const db = openDatabase(':memory:');
    // What a start that died between claiming 'csv' and storing it leaves (sweep keeps it: not expired).
    db.insert(parsers).values({ id: 'csv', name: 'Numeric CSV (bundled)', expiresAt: Date.now() + 60_000 }).run();
    const { store, objects } = recordingStore();
    await registerBundledParsers({ db, store });
    expect(objects.has('parsers/csv')).toBe(true);
    expect(db.select().from(parsers).where(eq(parsers.id, 'csv')).get()).toMatchObject({ status: 'ready' });
  });

  it('is a no-op at the next start', async () => {
    const db = openDatabase(':memory:');
    await registerBundledParsers({ db, store: recordingStore().store });
    const again = recordingStore();
    await registerBundledParsers({ db, store: again.store });
    expect(again.objects.size).toBe(0);
  });

  it('releases its claim on an id when the store fails, so the next start retries', async () => {
    const db = openDatabase(':memory:');
    const failing = { write: async () => Promise.reject(new Error('store down')) } as unknown as ObjectStore;
    await expect(registerBundledParsers({ db, store: failing })).rejects.toThrow('store down');
    expect(db.select().from(parsers).all()).toEqual([]);
  });
});
