import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { printReport, type Bench, type BenchRow } from './report.js';

/**
 * Runs every bench/*.bench.ts (or those whose name contains an argument) one after the
 * other, so figures do not disturb each other, then prints one table.
 */
const dir = fileURLToPath(new URL('.', import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

const rows: BenchRow[] = [];
for (const file of files) {
  console.error(`running ${file} ...`);
  const bench = (await import(pathToFileURL(`${dir}/${file}`).href)).default as Bench;
  rows.push(...(await bench()));
}
const misses = printReport(rows);
console.log(`\n${rows.length} figures, ${misses} below target`);
