import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import { expectJsonError } from './helpers/object-routes.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const KiB = 1024;

// main.ts passes the app's fetch to @hono/node-server as is, so the app sees the Node request
// and counts header bytes from its raw lines; the test helper wraps fetch, which hides it.
describe('size limits with the Node request at hand (as main.ts serves)', () => {
  let s: TestServer;
  let server: ServerType;
  let base: string;
  beforeAll(async () => {
    s = await startTestServer({ env: { MAX_HEADER_BYTES: String(4 * KiB), MAX_URL_BYTES: '600' } });
    server = await new Promise<ServerType>((resolve) => {
      const started = serve({ fetch: createApp(s.deps).fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await s.close({ remove: true });
  });

  it('answers 431 for headers over MAX_HEADER_BYTES, counting repeated headers too', async () => {
    await expectJsonError(await fetch(`${base}/models`, { headers: { 'x-padding': 'p'.repeat(5 * KiB) } }), 431, /MAX_HEADER_BYTES/);
    const repeated = new Headers();
    for (let i = 0; i < 3; i++) repeated.append('x-padding', 'p'.repeat(1500));
    await expectJsonError(await fetch(`${base}/models`, { headers: repeated }), 431, /MAX_HEADER_BYTES/);
  });

  it('lets headers under MAX_HEADER_BYTES through, and still answers 414 for a long URL', async () => {
    const res = await fetch(`${base}/models`, { headers: { 'x-padding': 'p'.repeat(3 * KiB) } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(expect.any(Array));
    await expectJsonError(await fetch(`${base}/model/${'a'.repeat(700)}`), 414, /MAX_URL_BYTES/);
  });
});
