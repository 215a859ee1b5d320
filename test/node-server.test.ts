import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeServer } from '../app/server.js';
import { startTestServer, type TestServer } from './helpers/server.js';

// The timeouts themselves take minutes to observe; what is checked is the server main.ts and
// the test helper both build (createNodeServer).
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close({ remove: true }));

it('puts no deadline on a whole request, so an upload slower than 300 s is not cut off with a 408', () => {
  expect(server.http.requestTimeout).toBe(0);
});

it('still limits how long a client may take to send its headers', () => {
  expect(server.http.headersTimeout).toBe(60_000);
});

describe('a request body that stops arriving', () => {
  const bodyIdleTimeoutMs = 300;
  let http: Server;
  let port: number;
  beforeAll(async () => {
    // A bare app that reads the whole body, like the upload and weights routes do.
    const fetch = async (req: Request) => new Response(String((await req.arrayBuffer()).byteLength));
    http = createNodeServer({ fetch, hostname: '127.0.0.1', bodyIdleTimeoutMs });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    port = (http.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => http.close(() => resolve())));

  /** Sends `pieces` chunks of 10 bytes, `gapMs` apart, then (unless `stall`) ends the body. */
  function send(pieces: number, gapMs: number, stall = false): Promise<string> {
    return new Promise((resolve) => {
      const req = request({ port, host: '127.0.0.1', method: 'PUT', headers: { 'Transfer-Encoding': 'chunked' } }, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve(`${res.statusCode} ${body}`));
      });
      req.on('error', (err) => resolve(`dropped (${(err as NodeJS.ErrnoException).code})`));
      void (async () => {
        for (let i = 0; i < pieces; i++) {
          req.write('x'.repeat(10));
          await new Promise((r) => setTimeout(r, gapMs));
        }
        if (!stall) req.end();
      })();
    });
  }

  it('drops the connection once the body has sent nothing for the idle timeout', async () => {
    expect(await send(1, 0, true)).toMatch(/^dropped/);
  });

  it('lets a slow body that keeps arriving take as long as it needs', async () => {
    expect(await send(8, bodyIdleTimeoutMs / 3)).toBe('200 80');
  });
});
