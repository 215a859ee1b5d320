import cliProgress from 'cli-progress';

// Bars go to stderr so stdout carries only results (ids, accuracy) for scripts to read;
// without a terminal (logs, CI, tests) they are not drawn at all.
const interactive = Boolean(process.stderr.isTTY);
const common = { stream: process.stderr, hideCursor: true, clearOnComplete: false, barsize: 30 } as const;

/** Uploads a blob with a byte-progress bar; resolves to what `send` resolves to. */
export async function uploadWithBar<T>(label: string, blob: Blob, send: (body: Blob, onProgress: (sent: number) => void) => Promise<T>): Promise<T> {
  const bar = uploadBar(label, blob.size);
  try {
    return await send(blob, bar.onProgress);
  } finally {
    bar.stop();
  }
}

function uploadBar(label: string, total: number) {
  if (!interactive) return { onProgress: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { ...common, format: `${label.padEnd(14)} [{bar}] {percentage}% | {done}/{size}` },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { done: formatBytes(0), size: formatBytes(total) });
  return {
    onProgress: (sent: number) => bar.update(sent, { done: formatBytes(sent) }),
    stop: () => bar.stop(),
  };
}

/** A bar for work the server does in one request (batching): it shows elapsed time, then completes. */
export async function whileWaiting<T>(label: string, work: Promise<T>): Promise<T> {
  if (!interactive) return work;
  const bar = new cliProgress.SingleBar({ ...common, format: `${label.padEnd(14)} [{bar}] {duration}s` }, cliProgress.Presets.shades_classic);
  bar.start(1, 0);
  try {
    const result = await work;
    bar.update(1);
    return result;
  } finally {
    bar.stop();
  }
}

/** One bar per training worker, steps done out of steps asked, with the last loss. */
export function trainingBars(workers: number, steps: number) {
  if (!interactive) return { step: () => {}, stop: () => {} };
  const multi = new cliProgress.MultiBar(
    { ...common, format: 'worker {worker} [{bar}] {value}/{total} steps | loss {loss}' },
    cliProgress.Presets.shades_classic,
  );
  const bars = Array.from({ length: workers }, (_, i) => multi.create(steps, 0, { worker: String(i + 1), loss: '-' }));
  return {
    step: (worker: number, step: number, loss: number) => bars[worker].update(step, { loss: loss.toFixed(3) }),
    stop: () => multi.stop(),
  };
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 ** 2).toFixed(1)} MiB`;
}
