import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../db/open.js';
import { MAIN_BUSY_TIMEOUT_MS } from '../db/when-writable.js';
import { registerBundledParsers } from '../lua/bundled.js';
import { createLuaRunner } from '../lua/runner.js';
import type { Config } from './config.js';
import type { Deps } from './env.js';
import { createSessionEngine } from './sessions/engine.js';
import { sweepStore } from './sweep.js';
import { createEmbeddedStore } from './storage/embedded.js';
import { createMinioStore } from './storage/minio.js';

export interface OpenedDeps extends Deps {
  /** Flushes pending work and releases the database, store and Lua engines. */
  close(): Promise<void>;
}

/** Opens the database, object store and Lua runner that `config` names. */
export async function openDeps(config: Config): Promise<OpenedDeps> {
  mkdirSync(config.DATA_DIR, { recursive: true });
  const db = openDatabase(path.join(config.DATA_DIR, 'webml.sqlite'), { busyTimeoutMs: MAIN_BUSY_TIMEOUT_MS });
  const store = config.STORAGE === 'minio' ? createMinioStore(config) : createEmbeddedStore(config);
  try {
    await store.init();
    // Before serving: clears what a crash left behind (see sweep.ts).
    await sweepStore(db, store);
    await registerBundledParsers({ db, store });
  } catch (err) {
    // A caller that handles the failure (and retries) must not be left holding the database.
    db.$client.close();
    throw err;
  }
  const lua = createLuaRunner(config);
  const sessions = createSessionEngine(db, { cacheBytes: config.SESSION_CACHE_MB * 1024 * 1024 });
  return {
    config,
    db,
    store,
    lua,
    sessions,
    async close() {
      await sessions.close();
      await lua.close();
      db.$client.close();
    },
  };
}
