import Database from 'better-sqlite3';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';

/**
 * Another connection holding the database's write lock, as the session commit thread does
 * while it writes a large session (seconds near MAX_PARAMS). A write on the main thread
 * must wait for it without freezing the server, then go through.
 */
let s: TestServer | undefined;
let blocker: Database.Database | undefined;
afterEach(async () => {
  blocker?.close();
  blocker = undefined;
  await s?.close({ remove: true });
  s = undefined;
});

function holdWriteLock(server: TestServer): Database.Database {
  const db = new Database(path.join(server.dataDir, 'webml.sqlite'));
  db.exec('BEGIN IMMEDIATE');
  return db;
}

it('serves other requests while a write waits for the lock, and makes the write once it is free', async () => {
  s = await startTestServer();
  blocker = holdWriteLock(s);
  let settled = false;
  const put = fetch(`${s.url}/model/locked`, { method: 'PUT', headers: { 'x-amz-meta-name': 'locked' }, redirect: 'manual' }).finally(
    () => (settled = true),
  );
  await sleep(200);
  // Reads and health are answered meanwhile (SQLite's own wait would hold the event loop).
  expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
  expect(await (await fetch(`${s.url}/models`)).json()).toEqual([]);
  expect(settled).toBe(false);

  blocker.exec('COMMIT');
  const res = await put;
  expect(res.status).toBe(307);
  expect((await res.json()).id).toBe('locked');
});

it('creates a session once the lock is free, still within MAX_SESSIONS_PER_MODEL', async () => {
  s = await startTestServer({ env: { MAX_SESSIONS_PER_MODEL: '1' } });
  const upload = await fetch(`${s.url}/model/m`, { method: 'PUT', headers: { 'x-amz-meta-name': 'm' }, body: new Blob(['{}']) });
  expect(upload.status).toBe(200);
  blocker = holdWriteLock(s);
  const create = (id: string) => fetch(`${s!.url}/model/m/session`, { method: 'PUT', body: JSON.stringify({ id, shape: [2] }) });
  const waiting = [create('a'), create('b')];
  await sleep(200);
  expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
  blocker.exec('COMMIT');
  const statuses = (await Promise.all(waiting)).map((r) => r.status).sort();
  expect(statuses).toEqual([200, 409]);
});
