import { fork } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { printReport, type Bench, type BenchRow } from './report.js';

/**
 * Runs every bench/*.bench.ts (or those whose name contains an argument) one after the
 * other, each in a process of its own, then prints one table. Sharing one process, a
 * bench inherited the heap and threads of those before it: the parser runner measured 2x
 * slower after the batching benches than alone.
 */
const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.env.WEBML_BENCH_FILE;

if (only) {
  // Child side: run one bench file and hand its rows to the parent.
  const bench = (await import(pathToFileURL(`${dir}/${only}`).href)).default as Bench;
  const rows = await bench();
  // Exits once the rows are sent, whatever a bench left open.
  process.send!(rows, () => process.exit(0));
} else {
  const filters = process.argv.slice(2);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
    .sort();
  const rows: BenchRow[] = [];
  for (const file of files) {
    console.error(`running ${file} ...`);
    rows.push(...(await runInChild(file)));
  }
  const misses = printReport(rows);
  console.log(`\n${rows.length} figures, ${misses} below target`);
}

function runInChild(file: string): Promise<BenchRow[]> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, WEBML_BENCH_FILE: file },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let rows: BenchRow[] | null = null;
    child.once('message', (sent: BenchRow[]) => (rows = sent));
    child.once('error', reject);
    child.once('exit', (code) => (rows ? resolve(rows) : reject(new Error(`${file} exited (${code}) without its figures`))));
  });
}
