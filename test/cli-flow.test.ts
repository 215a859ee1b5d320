import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClient } from '../app/client/index.js';
import { prepareMnist } from '../scripts/mnist-to-idx.js';
import { startWebml, webml } from './helpers/cli.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const mnist = prepareMnist({ trainCount: 1000, testCount: 500 });
let server: TestServer;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  server = await startTestServer();
  env = { WEBML_URL: server.url };
  dir = mkdtempSync(path.join(os.tmpdir(), 'webml-cli-'));
  // The documented way to get a model.json: softmax regression (0 hidden units), Adam 0.01.
  const script = fileURLToPath(new URL('../scripts/mnist-model-json.ts', import.meta.url));
  const written = await run(process.execPath, ['--import', 'tsx', script, path.join(dir, 'model.json'), '0']);
  expect(written).toMatch(/^wrote .*model\.json: 784-10, Adam 0\.01/);
});
afterAll(async () => {
  await server.close({ remove: true });
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a process to a zero exit; its stdout. */
function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, (error, stdout, stderr) => (error ? reject(new Error(stderr || error.message)) : resolve(stdout)));
  });
}

/** Runs webml and expects success; returns stdout trimmed. */
async function ok(...args: string[]): Promise<string> {
  const result = await webml(args, env);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.trim();
}

it('push, batch, session create/list/show, train with 2 worker processes, eval', async () => {
  expect(await ok('push', 'model', path.join(dir, 'model.json'), '--id', 'digits')).toBe('digits');
  const dataset = await ok('push', 'data', mnist.trainImages, mnist.trainLabels, '--model', 'digits', '--shape', '28,28', '--parser', 'idx-images', '--label-parser', 'idx-labels');
  expect(await ok('batch', '--model', 'digits', '--dataset', dataset, '--batch-size', '100')).toBe('10 batches of up to 100 records (1000 records)');

  const session = await ok('session', 'create', '--model', 'digits', '--alpha', '0.5');
  expect(await ok('session', 'list', '--model', 'digits')).toBe(session);
  const initial = await createClient(server.url).sessions.get('digits', session);
  expect(initial).toMatchObject({ alpha: 0.5, version: 0, weights: { shape: [7850] } });
  expect(initial.weights.data.some((v) => v !== 0)).toBe(true);

  const trained = await ok('train', '--model', 'digits', '--session', session, '--workers', '2', '--steps', '10', '--mini-batch', '25');
  expect(trained).toMatch(/^2 workers, 20 steps in [\d.]+ s; session version 20, loss [\d.]+$/);
  expect(await ok('session', 'show', '--model', 'digits', '--session', session)).toMatch(/version 20, loss [\d.]+, alpha 0.5, weights \[7850\]\n\s+20 losses posted/);

  const evaluated = await ok('eval', '--model', 'digits', '--session', session, '--images', mnist.testImages, '--labels', mnist.testLabels);
  const match = evaluated.match(/^accuracy ([\d.]+) on 500 held-out records \(session version 20\)$/);
  expect(match, evaluated).not.toBeNull();
  expect(Number(match![1])).toBeGreaterThan(0.5);
}, 90_000);

it('Ctrl-C stops train cleanly: exit 130, every posted step has its loss, workers gone', async () => {
  const client = createClient(server.url);
  const session = await ok('session', 'create', '--model', 'digits');
  const run = startWebml(['train', '--model', 'digits', '--session', session, '--workers', '2', '--steps', '1000'], env);
  const deadline = Date.now() + 60_000;
  while (((await client.sessions.weights('digits', session)).version ?? 0) < 4) {
    if (Date.now() > deadline) throw new Error('training never started');
    await new Promise((r) => setTimeout(r, 200));
  }
  run.child.kill('SIGINT');
  const result = await run.done;
  expect(result.code).toBe(130);
  expect(result.stderr).toMatch(/^interrupted: 2 workers, \d+ steps in/m);
  const after = await client.sessions.weights('digits', session);
  const losses = await client.sessions.losses('digits', session);
  expect(after.version).toBeLessThan(200);
  expect(losses).toHaveLength(after.version!);
  // Nothing still posting once train has exited.
  await new Promise((r) => setTimeout(r, 1000));
  expect((await client.sessions.weights('digits', session)).version).toBe(after.version);
}, 90_000);
