import autocannon from 'autocannon';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './report.js';

/**
 * `GET /model/:model/batch` (a uniformly random batch id) for a model with 100,000
 * batches beside one with a single batch, on the same server: the pick is two index
 * lookups, so it should not slow down with the number of batches. The server runs in a
 * child process so autocannon does not share its event loop.
 */
const BATCHES = 100_000;
const CONNECTIONS = 10;
const SECONDS = 4;

// ---- child side: forked with WEBML_RANDOM_BENCH set ----

async function runChild() {
  const [{ startTestServer }, { batchRepo }] = await Promise.all([import('../test/helpers/server.js'), import('../app/repos/batches.js')]);
  const server = await startTestServer();
  for (const model of ['one', 'many']) {
    const put = await fetch(`${server.url}/model/${model}`, { method: 'PUT', headers: { 'x-amz-meta-name': model }, body: new Blob(['{}']) });
    if (put.status !== 200) throw new Error(`upload of model ${model}: ${put.status}`);
    // Index rows only: the pick never touches the store.
    const rows = Array.from({ length: model === 'one' ? 1 : BATCHES }, (_, i) => ({
      id: `d-run-${i}`,
      count: 32,
      dataShape: [32, 28, 28],
      labelShape: [32, 1],
      dataDtype: 'uint8' as const,
      labelDtype: 'uint8' as const,
      dataSize: 32 * 784,
      labelSize: 32,
    }));
    batchRepo(server.deps.db).replaceDatasetBatches(model, 'd', rows);
  }
  process.on('message', async () => {
    await server.close({ remove: true });
    process.exit(0);
  });
  process.send!({ url: server.url });
}

if (process.env.WEBML_RANDOM_BENCH) await runChild();

// ---- parent side ----

async function requestsPerSecond(url: string): Promise<{ rps: number; p99: number }> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p99: result.latency.p99 };
}

/** Rows: random pick throughput with 100,000 batches beside 1 batch. */
export async function measureRandomPick(): Promise<BenchRow[]> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, WEBML_RANDOM_BENCH: '1' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  try {
    const { url } = await new Promise<{ url: string }>((resolve, reject) => {
      child.once('message', (msg) => resolve(msg as { url: string }));
      child.once('exit', (code) => reject(new Error(`random-pick server exited (${code})`)));
    });
    for (const model of ['one', 'many']) await autocannon({ url: `${url}/model/${model}/batch`, connections: CONNECTIONS, duration: 1 }); // warm-up
    const one = await requestsPerSecond(`${url}/model/one/batch`);
    const many = await requestsPerSecond(`${url}/model/many/batch`);
    return [
      {
        name: `GET /model/:model/batch with ${BATCHES.toLocaleString('en')} batches`,
        value: many.rps,
        unit: 'req/s',
        baselineName: 'same route, model with 1 batch',
        baselineValue: one.rps,
        target: { ratio: 0.8, better: 'higher' },
        notes: `p99 ${many.p99} vs ${one.p99} ms, ${CONNECTIONS} connections`,
      },
    ];
  } finally {
    // Asked to stop (not killed), so the child removes its data dir.
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (child.connected) child.send('stop');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    child.kill();
  }
}
