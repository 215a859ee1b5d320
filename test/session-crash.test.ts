import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from './helpers/child-server.js';
import { createModel, createSession, emaReference, float32Values, getSession, postBinary, postJson } from './helpers/sessions.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'webml-crash-'));
const running: ChildServer[] = [];
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop('SIGKILL')));
  rmSync(dataDir, { recursive: true, force: true });
});

it('keeps every acknowledged update across a SIGKILL mid-write', async () => {
  const first = await startChildServer(dataDir);
  running.push(first);
  await createModel(first.url, 'm');
  // 100k parameters: each group commit writes an 800 kB blob, so the kill lands mid-write.
  const shape = [100, 1000];
  const alpha = 0.99;
  const c0 = float32Values(100_000, 5);
  const v = float32Values(100_000, 6);
  const sid = await createSession(first.url, 'm', { shape, alpha, data: Array.from(c0) });
  const url = `${first.url}/model/m/session/${sid}/weights`;
  const json = { shape, data: Array.from(v) };

  let sent = 0;
  let acknowledged = 0;
  const clients = Array.from({ length: 16 }, async (_, client) => {
    for (;;) {
      sent++;
      try {
        const res = client % 4 === 0 ? await postJson(url, json) : await postBinary(url, v, shape);
        if (res.status !== 200) return;
        await res.json();
        acknowledged++;
      } catch {
        return; // the server is gone
      }
    }
  });
  while (acknowledged < 100) await new Promise((r) => setTimeout(r, 5));
  await first.stop('SIGKILL');
  await Promise.all(clients);

  const second = await startChildServer(dataDir);
  running.push(second);
  const s = await getSession(second.url, 'm', sid);
  expect(s.version).toBeGreaterThanOrEqual(acknowledged);
  expect(s.version).toBeLessThanOrEqual(sent);
  // Identical updates: the weights after `version` of them are known exactly.
  expect(s.weights.data).toEqual(Array.from(emaReference(c0, Array(s.version).fill(v), alpha)));
  // And the server goes on from there.
  expect(await (await postBinary(`${second.url}/model/m/session/${sid}/weights`, v, shape)).json()).toEqual({ version: s.version + 1 });
});
