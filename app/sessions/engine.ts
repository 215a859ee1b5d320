import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/open.js';
import { ApiError, badRequest } from '../errors.js';
import { bufferPool } from './buffer-pool.js';
import { groupCommit } from './group-commit.js';
import { hotSessionCache, sessionKey, type HotSession } from './session-cache.js';
import { sessionRepo, type LossPage, type StoredLossPoint } from './session-repo.js';
import { elementCount } from './tensor-codec.js';

export interface EngineOptions {
  /** Weight bytes kept in memory before least recently used sessions are dropped. */
  cacheBytes: number;
}

export interface NewSession {
  model: string;
  id?: string;
  shape: number[];
  alpha: number;
  loss: number;
  data?: Float64Array;
}

/** A session as readers see it: valid until the caller next awaits (the engine keeps mutating it). */
export type SessionView = Readonly<Omit<HotSession, 'key' | 'weightsChanged' | 'newLosses'>>;

/** Spare update-body buffers kept for reuse (sixteen concurrent 1M-parameter float32 bodies fit, eight float64). */
const bodyPoolBytes = 64 * 1024 * 1024;

/** center = center * alpha + update * (1 - alpha), in float64. */
function mergeInto(center: Float64Array, update: Float32Array | Float64Array, alpha: number): void {
  const beta = 1 - alpha;
  const n = center.length;
  for (let i = 0; i < n; i++) center[i] = center[i] * alpha + update[i] * beta;
}

/**
 * Sessions kept hot in memory, merged one update at a time in arrival order. A commit
 * thread writes them (group-commit.ts): while one group commit is in flight, the changes
 * that arrive are merged in memory and go together in the next one; a request is answered
 * after the commit that holds it.
 */
export function createSessionEngine(db: Db, options: EngineOptions) {
  // The commit thread opens the same file: an in-memory database would be a different one there.
  if (db.$client.memory) throw new Error('Sessions need a database file, not an in-memory database.');
  const repo = sessionRepo(db);
  const cache = hotSessionCache(options.cacheBytes);
  // Uncommitted changes exist only in memory: such sessions must not be dropped.
  const isPinned = (s: HotSession) => commits.isPending(s);
  const commits = groupCommit(db.$client.name, {
    forget: (s) => cache.remove(s),
    committed: () => cache.trim(isPinned),
  });

  /** The hot session, loading it from SQLite on a miss; null if it does not exist. */
  function hot(model: string, id: string): HotSession | null {
    const key = sessionKey(model, id);
    const cached = cache.get(key);
    if (cached) return cached;
    const row = repo.find(model, id);
    if (!row) return null;
    const count = elementCount(row.shape);
    if (row.blobBytes !== count * 8) {
      throw new ApiError(400, 'corrupt_session', `Stored session '${id}' holds ${row.blobBytes} weight bytes, not the ${count * 8} its shape [${row.shape}] needs.`);
    }
    const { blobBytes: _, ...stored } = row;
    const session: HotSession = { key, ...stored, weightsChanged: false, newLosses: [] };
    cache.add(session);
    cache.trim(isPinned);
    commits.warm();
    return session;
  }

  return {
    /** Session ids of a model. */
    list: (model: string) => repo.listIds(model),

    /** Creates and commits a session (a generated id unless one is given); null when the id is taken. */
    create(input: NewSession): string | null {
      const id = input.id ?? randomUUID();
      const stored = {
        model: input.model,
        id,
        shape: input.shape,
        alpha: input.alpha,
        loss: input.loss,
        version: 0,
        updatedAt: Date.now(),
        weights: input.data ?? new Float64Array(elementCount(input.shape)),
      };
      if (!repo.insert(stored)) return null;
      cache.add({ key: sessionKey(input.model, id), ...stored, weightsChanged: false, newLosses: [] });
      cache.trim(isPinned);
      commits.warm();
      return id;
    },

    /** The session's shape, or null if it does not exist (loads it hot: an update usually follows). */
    shapeOf: (model: string, id: string): readonly number[] | null => hot(model, id)?.shape ?? null,

    /** Merges one update; resolves to the version that includes it once that is committed; null if no session. */
    async merge(model: string, id: string, update: Float32Array | Float64Array): Promise<number | null> {
      const session = hot(model, id);
      if (!session) return null;
      if (update.length !== session.weights.length) {
        throw badRequest(`Tensor has ${update.length} elements but the session holds ${session.weights.length}.`);
      }
      mergeInto(session.weights, update, session.alpha);
      session.version += 1;
      session.updatedAt = Date.now();
      session.weightsChanged = true;
      const version = session.version;
      await commits.join(session);
      return version;
    },

    /** Sets the loss and appends it to the history; resolves to the version it was posted at; null if no session. */
    async postLoss(model: string, id: string, loss: number): Promise<number | null> {
      const session = hot(model, id);
      if (!session) return null;
      session.loss = loss;
      session.updatedAt = Date.now();
      session.newLosses.push({ version: session.version, loss, at: session.updatedAt });
      const version = session.version;
      await commits.join(session);
      return version;
    },

    /**
     * The newest merged state, or null. Every acknowledged update is in it; it may also hold
     * updates whose commit is still in flight. Serialize it before awaiting.
     */
    read: (model: string, id: string): SessionView | null => hot(model, id),

    /** A page of the session's loss history, which holds every point posted before the call; null if no session. */
    async losses(model: string, id: string, page: LossPage): Promise<StoredLossPoint[] | null> {
      const cached = cache.get(sessionKey(model, id));
      if (cached) await commits.settled(cached);
      return repo.exists(model, id) ? repo.lossPage(model, id, page) : null;
    },

    /** Buffers for update bodies, handed back once merged. */
    bodies: bufferPool(bodyPoolBytes),

    /** Weight bytes held in memory, and group commits started so far. */
    get stats() {
      return { hotBytes: cache.bytes, commits: commits.commits };
    },

    /** Commits whatever is pending, then stops the commit thread (shutdown). */
    close: () => commits.close(),
  };
}

export type SessionEngine = ReturnType<typeof createSessionEngine>;
