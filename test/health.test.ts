import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackendError } from '../app/errors.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const tokens = { WEBML_ADMIN_TOKEN: 'admin-token-0123456789abcdef', WEBML_WORKER_TOKEN: 'worker-token-0123456789abcdef' };

describe('GET /healthz', () => {
  let s: TestServer | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await s?.close({ remove: true });
    s = undefined;
  });

  it('answers 200 when the database and store answer, with no token even when tokens are set', async () => {
    s = await startTestServer({ env: tokens });
    const res = await fetch(`${s.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', database: 'ok', store: 'ok' });
    expect((await fetch(`${s.url}/healthz`, { method: 'HEAD' })).status).toBe(200);
  });

  it('answers 503 naming the store when the store fails, without leaking its error', async () => {
    s = await startTestServer();
    vi.spyOn(console, 'error').mockImplementation(() => {});
    s.deps.store.stat = async () => {
      throw new BackendError('store', 'connect ECONNREFUSED 10.0.0.7:9000');
    };
    const res = await fetch(`${s.url}/healthz`);
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ status: 'unavailable', database: 'ok', store: 'unavailable' });
    expect(text).not.toContain('10.0.0.7');
  });

  it('answers 503 when the store hangs, within a bounded time', async () => {
    s = await startTestServer();
    vi.spyOn(console, 'error').mockImplementation(() => {});
    s.deps.store.stat = () => new Promise(() => {});
    const started = Date.now();
    const res = await fetch(`${s.url}/healthz`);
    expect(res.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('answers 503 naming the database when it is closed', async () => {
    s = await startTestServer();
    vi.spyOn(console, 'error').mockImplementation(() => {});
    s.deps.db.$client.close();
    const res = await fetch(`${s.url}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ database: 'unavailable', store: 'ok' });
  });
});

describe('request ids and logs', () => {
  let s: TestServer | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await s?.close({ remove: true });
    s = undefined;
  });

  it('echoes a plain X-Request-Id and replaces a missing or unsafe one', async () => {
    s = await startTestServer();
    const echoed = await fetch(`${s.url}/models`, { headers: { 'X-Request-Id': 'trace-42.a_b' } });
    expect(echoed.headers.get('x-request-id')).toBe('trace-42.a_b');
    const generated = await fetch(`${s.url}/models`);
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const unsafe = await fetch(`${s.url}/models`, { headers: { 'X-Request-Id': '{"forged":"json"}' } });
    expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const long = await fetch(`${s.url}/models`, { headers: { 'X-Request-Id': 'a'.repeat(200) } });
    expect(long.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    // Error answers carry it too.
    const missing = await fetch(`${s.url}/model/nope`, { headers: { 'X-Request-Id': 'err-1' } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-request-id')).toBe('err-1');
  });

  it('logs one JSON line per request with id, method, path, status and ms', async () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    s = await startTestServer({ env: { LOG_LEVEL: 'info', ...tokens } });
    await fetch(`${s.url}/models`, { headers: { 'X-Request-Id': 'log-test-1' } });
    await fetch(`${s.url}/model/x`, { method: 'PUT', headers: { 'X-Request-Id': 'log-test-2' } });
    vi.restoreAllMocks();
    const entries = lines.flatMap((l) => l.split('\n')).filter(Boolean).map((l) => JSON.parse(l));
    expect(entries.find((e) => e.id === 'log-test-1')).toMatchObject({ level: 'info', msg: 'request', method: 'GET', path: '/models', status: 401 });
    const second = entries.find((e) => e.id === 'log-test-2');
    expect(second).toMatchObject({ method: 'PUT', path: '/model/x', status: 401 });
    expect(second.ms).toEqual(expect.any(Number));
    expect(Date.parse(second.time)).not.toBeNaN();
  });

  it('writes nothing at LOG_LEVEL=silent', async () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    s = await startTestServer({ env: { LOG_LEVEL: 'silent' } });
    await fetch(`${s.url}/models`, { headers: { 'X-Request-Id': 'quiet-1' } });
    vi.restoreAllMocks();
    expect(lines.join('')).not.toContain('quiet-1');
  });
});
