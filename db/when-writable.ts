/**
 * How long a statement on the main thread's connection waits inside SQLite for a lock.
 * SQLite waits by sleeping the calling thread, which on the main thread freezes every
 * request; longer waits happen in whenWritable, between event-loop turns.
 */
export const MAIN_BUSY_TIMEOUT_MS = 20;

/** How long whenWritable keeps trying before the write fails (a 500). */
const patienceMs = 30_000;

/** SQLITE_BUSY and its extended codes, thrown by better-sqlite3 (or wrapped by drizzle). */
function isBusy(err: unknown): boolean {
  const { code, cause } = (err ?? {}) as { code?: unknown; cause?: { code?: unknown } };
  const sqliteCode = code ?? cause?.code;
  return typeof sqliteCode === 'string' && sqliteCode.startsWith('SQLITE_BUSY');
}

/**
 * Runs `write`, a synchronous write (or transaction) on the main thread's connection, once
 * the database's write lock is free. The session commit thread holds that lock while it
 * writes a group, which for a large session takes seconds: rather than sleep in SQLite's
 * busy handler that long, a busy write gives the event loop back and tries again shortly.
 * `write` must have no effect outside the database before its first statement, since a
 * busy attempt is rolled back and repeated.
 */
export async function whenWritable<T>(write: () => T): Promise<T> {
  const giveUpAt = Date.now() + patienceMs;
  for (let delayMs = 1; ; delayMs = Math.min(delayMs * 2, 50)) {
    try {
      return write();
    } catch (err) {
      if (!isBusy(err) || Date.now() >= giveUpAt) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}
