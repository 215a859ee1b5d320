/** Past this many characters a batch is written at once rather than at the end of the turn. */
const maxBatchChars = 64 * 1024;

// An array joined once per batch: appending to one string builds a rope that is slow to flatten.
let pending: string[] = [];
let pendingChars = 0;
let scheduled = false;

function flush() {
  scheduled = false;
  if (pending.length === 0) return;
  const batch = pending.join('');
  pending = [];
  pendingChars = 0;
  process.stdout.write(batch);
}

// stdout writes to files, pipes and terminals are synchronous on Linux, so this last batch
// still lands when the process exits (process.exit() skips pending immediates).
process.on('exit', flush);

/**
 * Queues a log line for stdout; the lines of one event-loop turn go out in one write (a
 * write per request line was ~9 µs of a redirect). Order is kept; nothing waits on it.
 */
export function bufferedStdout(line: string): void {
  pending.push(line);
  pendingChars += line.length;
  if (pendingChars >= maxBatchChars) flush();
  else if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
}
