import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { postBatch, uploadDataset, uploadModel, uploadParser } from './helpers/batch-uploads.js';
import { idxImages, idxLabels } from './helpers/idx.js';

const timeoutMs = 1000;

/** Hostile parsers: each must fail its batch request with a 422, never the server. */
const hostile: Array<{ id: string; source: string; message: RegExp }> = [
  { id: 'calls-os-exit', source: 'function parse(chunk, n)\n  os.exit(1)\nend', message: /calls-os-exit\W*:2:.*exit/ },
  { id: 'calls-io-open', source: 'function parse(chunk, n)\n  local f = io.open("/etc/passwd")\n  return { f:read("a") }\nend', message: /calls-io-open\W*:2:.*io/ },
  { id: 'calls-require', source: 'local os = require("os")\nfunction parse(chunk, n) os.exit(1) end', message: /calls-require\W*:1:.*require/ },
  {
    id: 'loads-bytecode',
    source: 'function parse(chunk, n)\n  local f = assert(load("\\27LuaT\\0\\25\\147\\r\\n\\26\\n"))\n  return { f() }\nend',
    message: /loads-bytecode\W*:2:.*binary/,
  },
  { id: 'sets-debug-hook', source: 'function parse(chunk, n)\n  debug.sethook(function() end, "", 0)\nend', message: /sets-debug-hook\W*:2:.*debug/ },
  { id: 'spins-forever', source: 'function parse(chunk, n)\n  while true do end\nend', message: /time budget/ },
  {
    id: 'grows-a-table',
    source: 'function parse(chunk, n)\n  local t = {}\n  for i = 1, 1e9 do t[i] = string.rep(chunk, 1000) .. i end\nend',
    message: /memory/,
  },
  { id: 'repeats-a-string', source: 'function parse(chunk, n)\n  return { string.rep("x", 2^30) }\nend', message: /memory/ },
];

describe('untrusted parsers over HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { LUA_TIMEOUT_MS: String(timeoutMs), LUA_MEMORY_MB: '32' } });
    await uploadModel(server.url, 'm');
    await uploadDataset(server.url, 'm', 'data', 'd', [2, 2], 'idx-images', idxImages(10, 2, 2, (i, p) => i + p));
    await uploadDataset(server.url, 'm', 'labels', 'd', [1], 'idx-labels', idxLabels([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    for (const { id, source } of hostile) await uploadParser(server.url, id, source);
  });
  afterAll(() => server.close({ remove: true }));

  it.each(hostile)('parser $id gets a 422 naming it, and the next batch request works', async ({ id, message }) => {
    const started = Date.now();
    const res = await postBatch(server.url, 'm', 'd', { data_parser: id, label_parser: 'idx-labels', batch_size: 4 });
    const elapsed = Date.now() - started;
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(422);
    expect(body.error.message).toContain(`'${id}'`);
    expect(body.error.message).toMatch(message);
    // Stopped by its budget, not by a test timeout.
    expect(elapsed).toBeLessThan(timeoutMs + 3000);

    const next = await postBatch(server.url, 'm', 'd', { data_parser: 'idx-images', label_parser: 'idx-labels', batch_size: 4 });
    expect(next.status).toBe(200);
    expect(await next.json()).toEqual({ batches: 3, records: 10 });
  });

  it('a parser that spins runs for about its time budget', async () => {
    const started = Date.now();
    const res = await postBatch(server.url, 'm', 'd', { data_parser: 'spins-forever', label_parser: 'idx-labels', batch_size: 4 });
    await res.body?.cancel();
    expect(res.status).toBe(422);
    expect(Date.now() - started).toBeGreaterThanOrEqual(timeoutMs * 0.9);
  });
});
