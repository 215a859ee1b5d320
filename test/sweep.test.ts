import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { datasets, models } from '../db/schema/uploads.js';
import { keys } from '../app/storage/object-store.js';
import { sweepStore } from '../app/sweep.js';
import { uploadDataset, uploadModel } from './helpers/batch-uploads.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const stored = async (s: TestServer, key: string) => {
  const stream = await s.deps.store.read(key);
  if (!stream) return null;
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts).toString();
};

describe('start-up sweep', () => {
  let s: TestServer | undefined;
  afterEach(async () => s?.close({ remove: true }));

  it('removes objects no row references and keeps every referenced one', async () => {
    s = await startTestServer();
    await uploadModel(s.url, 'kept');
    await uploadDataset(s.url, 'kept', 'data', 'set', [1], 'csv', '1\n2\n');
    const { store, db } = s.deps;
    // What a crash leaves: batches written before their index swap, an upload whose row is gone.
    await store.write(keys.batch('kept', 'ghost-1', 'data'), Buffer.from('x'));
    await store.write(keys.batch('kept', 'ghost-1', 'labels'), Buffer.from('y'));
    await store.write(keys.model('no-row'), Buffer.from('z'));
    await store.write(keys.dataset('labels', 'kept', 'no-row'), Buffer.from('z'));
    // Not in our key layout: not ours to judge.
    await store.write('elsewhere/readme', Buffer.from('keep me'));

    const report = await sweepStore(db, store);
    expect(report.orphanObjects).toBe(4);
    expect(await stored(s, keys.batch('kept', 'ghost-1', 'data'))).toBeNull();
    expect(await stored(s, keys.batch('kept', 'ghost-1', 'labels'))).toBeNull();
    expect(await stored(s, keys.model('no-row'))).toBeNull();
    expect(await stored(s, keys.dataset('labels', 'kept', 'no-row'))).toBeNull();
    expect(await stored(s, 'elsewhere/readme')).toBe('keep me');
    expect(await stored(s, keys.model('kept'))).toContain('modelTopology');
    expect(await stored(s, keys.dataset('data', 'kept', 'set'))).toBe('1\n2\n');
    expect(await stored(s, keys.parser('csv'))).not.toBeNull();
    expect((await sweepStore(db, store)).orphanObjects).toBe(0);
  });

  it('drops pending uploads whose URL expired without an object, keeps live ones, readies arrived ones', async () => {
    s = await startTestServer();
    const { store, db } = s.deps;
    const past = Date.now() - 1000;
    const future = Date.now() + 60_000;
    db.insert(models).values({ id: 'expired', name: 'e', expiresAt: past }).run();
    db.insert(models).values({ id: 'live', name: 'l', expiresAt: future }).run();
    db.insert(models).values({ id: 'arrived', name: 'a', expiresAt: past }).run();
    await store.write(keys.model('arrived'), Buffer.from('{}'));
    db.insert(datasets).values({ model: 'arrived', kind: 'data', id: 'late', shape: [1], parser: 'csv', expiresAt: past }).run();

    const report = await sweepStore(db, store);
    expect(report.expiredUploads).toBe(2);
    const status = (id: string) => db.select({ status: models.status }).from(models).where(eq(models.id, id)).get()?.status;
    expect(status('expired')).toBeUndefined();
    expect(status('live')).toBe('pending');
    expect(status('arrived')).toBe('ready');
    expect(db.select().from(datasets).all()).toEqual([]);
    const listed = await fetch(`${s.url}/models`).then((r) => r.json());
    expect(listed).toEqual(['arrived']);
  });

  it('runs at start-up on the data directory', async () => {
    s = await startTestServer();
    await uploadModel(s.url, 'm');
    await s.deps.store.write(keys.batch('m', 'left-behind', 'data'), Buffer.from('x'));
    const dataDir = s.dataDir;
    await s.close();
    s = await startTestServer({ dataDir });
    expect(await s.deps.store.stat(keys.batch('m', 'left-behind', 'data'))).toBeNull();
    expect(await stored(s, keys.model('m'))).toContain('modelTopology');
  });
});
