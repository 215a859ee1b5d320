/** One measured figure beside the baseline it is judged against, both measured in the same run. */
export interface BenchRow {
  /** What was measured, e.g. "GET /model/:id redirects (embedded)". */
  name: string;
  value: number;
  unit: string;
  /** What the figure is compared to, e.g. "bare Hono 307". */
  baselineName: string;
  baselineValue: number;
  /**
   * The target as a ratio: `higher` means value/baseline must reach `target`
   * (throughput), `lower` means value/baseline must stay at or under `target` (time).
   */
  target?: { ratio: number; better: 'higher' | 'lower' };
  /** Extra figures worth printing (p50/p99 latency, RSS...). */
  notes?: string;
}

/** A benchmark file's default export. */
export type Bench = () => Promise<BenchRow[]>;

const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3));

/** Prints rows as an aligned table and returns how many missed their target. */
export function printReport(rows: BenchRow[]): number {
  let misses = 0;
  const lines = rows.map((r) => {
    const ratio = r.baselineValue === 0 ? NaN : r.value / r.baselineValue;
    let verdict = '';
    if (r.target) {
      const ok = r.target.better === 'higher' ? ratio >= r.target.ratio : ratio <= r.target.ratio;
      if (!ok) misses++;
      verdict = `${ok ? 'ok  ' : 'MISS'} (target ${r.target.better === 'higher' ? '>=' : '<='} ${r.target.ratio})`;
    }
    return [r.name, `${fmt(r.value)} ${r.unit}`, r.baselineName, `${fmt(r.baselineValue)} ${r.unit}`, fmt(ratio), verdict, r.notes ?? ''];
  });
  const header = ['figure', 'value', 'baseline', 'baseline value', 'ratio', 'verdict', 'notes'];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const show = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  console.log(show(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(show(l));
  return misses;
}
