import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/**
 * The front door sets CORS headers and the request id before any handler runs: every kind
 * of answer must carry them, whoever built it (a redirect, a streamed blob, a HEAD, an error
 * thrown by the front door itself, a 404 for no route, a 413 found while streaming).
 */
describe('headers every answer carries', () => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.close({ remove: true });
    s = undefined;
  });

  const origin = 'https://volunteer.example';

  async function expectTagged(res: Response, status: number, requestId: string, allowOrigin = '*') {
    expect(res.status).toBe(status);
    expect(res.headers.get('access-control-allow-origin')).toBe(allowOrigin);
    expect(res.headers.get('access-control-expose-headers')).toBe('*');
    expect(res.headers.get('x-request-id')).toBe(requestId);
    await res.arrayBuffer();
  }

  it('redirects, blobs, HEAD, errors and unknown routes, with CORS open', async () => {
    s = await startTestServer({ env: { MAX_JSON_BYTES: '1024' } });
    const headers = (id: string) => ({ Origin: origin, 'X-Request-Id': id });
    const put = await fetch(`${s.url}/model/m`, {
      method: 'PUT',
      headers: { ...headers('put'), 'x-amz-meta-name': 'm' },
      body: '{"modelTopology":{}}',
      redirect: 'manual',
    });
    await expectTagged(put, 307, 'put');
    await expectTagged(await fetch(put.headers.get('location')!, { method: 'PUT', headers: headers('blob-put'), body: '{}' }), 200, 'blob-put');

    const get = await fetch(`${s.url}/model/m`, { headers: headers('get'), redirect: 'manual' });
    await expectTagged(get, 307, 'get');
    await expectTagged(await fetch(get.headers.get('location')!, { headers: headers('blob') }), 200, 'blob');
    await expectTagged(await fetch(get.headers.get('location')!, { headers: { ...headers('range'), Range: 'bytes=9-' } }), 416, 'range');
    await expectTagged(await fetch(`${s.url}/model/m`, { method: 'HEAD', headers: headers('head') }), 200, 'head');
    await expectTagged(await fetch(`${s.url}/model/nope`, { headers: headers('missing') }), 404, 'missing');
    await expectTagged(await fetch(`${s.url}/no/such/route`, { headers: headers('no-route') }), 404, 'no-route');
    await expectTagged(await fetch(`${s.url}/model/${'x'.repeat(200)}`, { headers: headers('bad-id') }), 400, 'bad-id');
    // Refused by the front door itself, before any handler.
    const big = JSON.stringify({ loss: 1, padding: 'x'.repeat(2000) });
    const session = await fetch(`${s.url}/model/m/session`, { method: 'PUT', body: JSON.stringify({ id: 's', shape: [1] }) });
    expect(session.status).toBe(200);
    const loss = `${s.url}/model/m/session/s/loss`;
    await expectTagged(await fetch(loss, { method: 'POST', headers: headers('declared'), body: big }), 413, 'declared');
    // Found while the body streams (no Content-Length), after the handler has started.
    const chunked = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const init = { method: 'POST', headers: headers('chunked'), body: chunked, duplex: 'half' } as RequestInit;
    await expectTagged(await fetch(loss, init), 413, 'chunked');
  });

  it('names the allowed origin and varies on Origin when CORS_ORIGINS lists origins', async () => {
    s = await startTestServer({ env: { CORS_ORIGINS: `${origin}, https://other.example` } });
    const allowed = await fetch(`${s.url}/models`, { headers: { Origin: origin, 'X-Request-Id': 'a' } });
    await expectTagged(allowed, 200, 'a', origin);
    expect(allowed.headers.get('vary')).toContain('Origin');
    const stranger = await fetch(`${s.url}/models`, { headers: { Origin: 'https://evil.example', 'X-Request-Id': 'b' } });
    expect(stranger.status).toBe(200);
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    expect(stranger.headers.get('x-request-id')).toBe('b');
    const preflight = await fetch(`${s.url}/model/m`, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'PUT', 'X-Request-Id': 'c' },
    });
    await expectTagged(preflight, 204, 'c', origin);
  });

  it('sets them through Hono when the app runs without Node bindings (app.request)', async () => {
    s = await startTestServer();
    const app = createApp(s.deps);
    await expectTagged(await app.request('/models', { headers: { Origin: origin, 'X-Request-Id': 'in-process' } }), 200, 'in-process');
    await expectTagged(await app.request('/model/nope', { headers: { 'X-Request-Id': 'in-process-404' } }), 404, 'in-process-404');
  });
});
