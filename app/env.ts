import type { Db } from '../db/open.js';
import type { ParserRunner } from '../lua/types.js';
import type { Config } from './config.js';
import type { SessionEngine } from './sessions/engine.js';
import type { ObjectStore } from './storage/object-store.js';

/** Everything a handler needs, injected by createApp. */
export interface Deps {
  config: Config;
  db: Db;
  store: ObjectStore;
  lua: ParserRunner;
  sessions: SessionEngine;
}

export type AppEnv = { Variables: Deps };
