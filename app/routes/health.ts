import { Hono } from 'hono';
import { sql } from 'drizzle-orm';
import type { AppEnv } from '../env.js';

/** A key no upload can take (ids never hold '~'), so a stat costs one lookup and finds nothing. */
const probeKey = 'healthz~probe';
const probeTimeoutMs = 2_000;

/** Resolves to null when `check` succeeds within the timeout, else to the reason it did not. */
async function probe(check: () => unknown): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${probeTimeoutMs} ms`), probeTimeoutMs);
  });
  try {
    const answered = Promise.resolve()
      .then(check)
      .then(() => null);
    return await Promise.race([answered, timeout]);
  } catch (err) {
    return (err as Error).message || String(err);
  } finally {
    clearTimeout(timer);
  }
}

export const healthRoutes = new Hono<AppEnv>();

/** 200 when the database and the object store both answer, else 503 saying which did not. */
healthRoutes.get('/healthz', async (c) => {
  const [database, store] = await Promise.all([
    probe(() => c.var.db.get(sql`select 1`)),
    probe(() => c.var.store.stat(probeKey)),
  ]);
  // Reasons stay in the server's log: this route is public and they may name paths or hosts.
  if (database) console.error(`[healthz] database: ${database}`);
  if (store) console.error(`[healthz] store: ${store}`);
  const healthy = !database && !store;
  const body = { status: healthy ? 'ok' : 'unavailable', database: database ? 'unavailable' : 'ok', store: store ? 'unavailable' : 'ok' };
  return c.json(body, healthy ? 200 : 503);
});
