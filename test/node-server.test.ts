import { afterAll, beforeAll, expect, it } from 'vitest';
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
