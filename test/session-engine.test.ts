import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../db/open.js';
import { models } from '../db/schema/uploads.js';
import { BackendError } from '../app/errors.js';
import { createSessionEngine, type SessionEngine } from '../app/sessions/engine.js';
import { emaReference } from './helpers/sessions.js';

// The engine below the routes: what HTTP cannot see (how many transactions, what is on disk
// before the answer, eviction). Route behaviour is tested over HTTP in session-routes.test.ts.

let dir: string;
let file: string;
let db: Db;
let engine: SessionEngine;
const open = (cacheBytes = 1 << 20) => (engine = createSessionEngine(db, { cacheBytes }));
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'webml-engine-'));
  file = path.join(dir, 'webml.sqlite');
  db = openDatabase(file);
  db.insert(models).values({ id: 'm', name: 'm', status: 'ready', expiresAt: 0 }).run();
});
afterEach(async () => {
  await engine?.close();
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What another process would read from the file right now. */
function onDisk(id: string) {
  const other = new Database(file, { readonly: true });
  try {
    const row = other.prepare('select version, weights from sessions where model = ? and id = ?').get('m', id) as { version: number; weights: Buffer };
    return { version: row.version, weights: Array.from(new Float64Array(new Uint8Array(row.weights).buffer)) };
  } finally {
    other.close();
  }
}

const update = (n: number, k: number) => Float64Array.from({ length: n }, (_, i) => (i + 1) * k * 0.5);

describe('group commit', () => {
  it('commits updates that arrive together in one transaction and answers each only after it is on disk', async () => {
    open();
    engine.create({ model: 'm', id: 's', shape: [4], alpha: 0.5, loss: 0 });
    const acks = Array.from({ length: 50 }, (_, k) => engine.merge('m', 's', update(4, k)));
    expect(onDisk('s').version).toBe(0);
    expect(await Promise.all(acks)).toEqual(Array.from({ length: 50 }, (_, k) => k + 1));
    expect(engine.stats.commits).toBe(1);
    expect(onDisk('s')).toEqual({
      version: 50,
      weights: Array.from(emaReference([0, 0, 0, 0], Array.from({ length: 50 }, (_, k) => update(4, k)), 0.5)),
    });
  });

  it('merges what arrives while a commit is in flight into the next one, and none is acknowledged early', async () => {
    open();
    engine.create({ model: 'm', id: 's', shape: [4], alpha: 0.5, loss: 0 });
    const first = engine.merge('m', 's', update(4, 1));
    await new Promise((r) => setImmediate(r)); // the first commit is now in flight
    const acked: number[] = [];
    const later = Array.from({ length: 20 }, (_, k) =>
      engine.merge('m', 's', update(4, k + 2)).then((v) => {
        expect(onDisk('s').version).toBeGreaterThanOrEqual(v!);
        acked.push(v!);
      }),
    );
    expect(await first).toBe(1);
    await Promise.all(later);
    expect(acked.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, k) => k + 2));
    expect(engine.stats.commits).toBe(2);
    expect(onDisk('s').version).toBe(21);
  });

  it('reads the newest merged state, and close() commits what is pending', async () => {
    open();
    engine.create({ model: 'm', id: 's', shape: [2], alpha: 0.5, loss: 0 });
    void engine.merge('m', 's', update(2, 1));
    expect(engine.read('m', 's')?.version).toBe(1);
    await engine.close();
    expect(onDisk('s').version).toBe(1);
  });

  it('when a commit fails, rejects its requests with a database error and forgets their changes', async () => {
    open();
    engine.create({ model: 'm', id: 's', shape: [2], alpha: 0.5, loss: 0 });
    await engine.merge('m', 's', update(2, 1));
    db.$client.exec("create trigger refuse before update on sessions begin select raise(abort, 'disk on fire'); end");
    const failed = await Promise.allSettled([engine.merge('m', 's', update(2, 2)), engine.postLoss('m', 's', 5)]);
    for (const f of failed) expect(f.status === 'rejected' && f.reason).toBeInstanceOf(BackendError);
    db.$client.exec('drop trigger refuse');
    expect(engine.read('m', 's')).toMatchObject({ version: 1, loss: 0 });
    expect(await engine.merge('m', 's', update(2, 3))).toBe(2);
    expect(onDisk('s').weights).toEqual(Array.from(emaReference([0, 0], [update(2, 1), update(2, 3)], 0.5)));
    expect(await engine.losses('m', 's', { after: 0, limit: 10 })).toEqual([]);
  });
});

describe('hot session cache', () => {
  it('drops least recently used sessions beyond its byte budget, never ones with uncommitted changes', async () => {
    const bytesEach = 1000 * 8;
    open(2 * bytesEach);
    for (let i = 0; i < 5; i++) engine.create({ model: 'm', id: `s${i}`, shape: [1000], alpha: 0.5, loss: 0 });
    expect(engine.stats.hotBytes).toBeLessThanOrEqual(2 * bytesEach);

    const acks = Array.from({ length: 5 }, (_, i) => engine.merge('m', `s${i}`, update(1000, i + 1)));
    expect(engine.stats.hotBytes).toBe(5 * bytesEach);
    await Promise.all(acks);
    expect(engine.stats.hotBytes).toBeLessThanOrEqual(2 * bytesEach);

    // An evicted session comes back from SQLite with everything it had.
    const s0 = engine.read('m', 's0');
    expect(s0?.version).toBe(1);
    expect(Array.from(s0!.weights)).toEqual(Array.from(emaReference(new Float64Array(1000), [update(1000, 1)], 0.5)));
  });
});
