import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/open.js';
import { ApiError, BackendError, badRequest } from '../errors.js';
import { hotSessionCache, sessionKey, type HotSession } from './session-cache.js';
import { sessionRepo, type LossPoint } from './session-repo.js';
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

interface PendingCommit {
  promise: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
  timer: NodeJS.Immediate;
}

/** center = center * alpha + update * (1 - alpha), in float64. */
function mergeInto(center: Float64Array, update: Float32Array | Float64Array, alpha: number): void {
  const beta = 1 - alpha;
  for (let i = 0; i < center.length; i++) center[i] = center[i] * alpha + update[i] * beta;
}

/**
 * Sessions kept hot in memory and merged one update at a time in arrival order. Changes
 * made while a commit is pending join it: one synchronous immediate transaction writes
 * every changed session once, and only then are the requests it holds answered.
 */
export function createSessionEngine(db: Db, options: EngineOptions) {
  const repo = sessionRepo(db);
  const cache = hotSessionCache(options.cacheBytes);
  const changed = new Set<HotSession>();
  const isPinned = (s: HotSession) => changed.has(s);
  let pending: PendingCommit | null = null;

  /** The hot session, loading it from SQLite on a miss; null if it does not exist. */
  function hot(model: string, id: string): HotSession | null {
    const key = sessionKey(model, id);
    const cached = cache.get(key);
    if (cached) return cached;
    const row = repo.find(model, id);
    if (!row) return null;
    const count = elementCount(row.shape);
    if (row.blobBytes !== count * 8) {
      throw new ApiError(400, 'corrupt_session', `Stored session "${id}" holds ${row.blobBytes} weight bytes, not the ${count * 8} its shape [${row.shape}] needs.`);
    }
    const { blobBytes: _, ...stored } = row;
    const session: HotSession = { key, ...stored, weightsChanged: false, newLosses: [] };
    cache.add(session);
    cache.trim(isPinned);
    return session;
  }

  /** Joins the session to the next group commit; resolves once that commit is durable. */
  function commitSoon(session: HotSession): Promise<void> {
    changed.add(session);
    if (!pending) {
      let resolve!: () => void;
      let reject!: (err: unknown) => void;
      const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
      // After this turn's I/O callbacks, so every update that arrived meanwhile shares the write.
      pending = { promise, resolve, reject, timer: setImmediate(commit) };
    }
    return pending.promise;
  }

  function commit(): void {
    const group = pending;
    if (!group) return;
    pending = null;
    clearImmediate(group.timer);
    const sessions = [...changed];
    changed.clear();
    try {
      repo.commit(
        sessions.map((s) => ({
          model: s.model,
          id: s.id,
          version: s.version,
          loss: s.loss,
          updatedAt: s.updatedAt,
          weights: s.weightsChanged ? s.weights : null,
          losses: s.newLosses,
        })),
      );
    } catch (err) {
      // These changes now exist only in memory: drop them so the next access reloads what is committed.
      for (const s of sessions) cache.remove(s);
      group.reject(new BackendError('database', 'Could not commit session updates.', { cause: err }));
      return;
    }
    for (const s of sessions) {
      s.weightsChanged = false;
      s.newLosses = [];
    }
    group.resolve();
    cache.trim(isPinned);
  }

  /** Waits until the session's hot copy (if any) holds nothing uncommitted. */
  async function settled(model: string, id: string): Promise<void> {
    const cached = cache.get(sessionKey(model, id));
    if (cached && changed.has(cached) && pending) await pending.promise;
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
      await commitSoon(session);
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
      await commitSoon(session);
      return version;
    },

    /** The committed session (never state a crash could take back), or null. Serialize it before awaiting. */
    async read(model: string, id: string): Promise<SessionView | null> {
      await settled(model, id);
      return hot(model, id);
    },

    /** The session's loss history, or null if it does not exist. */
    async losses(model: string, id: string): Promise<LossPoint[] | null> {
      await settled(model, id);
      return repo.exists(model, id) ? repo.lossHistory(model, id) : null;
    },

    /** Weight bytes held in memory. */
    get hotBytes() {
      return cache.bytes;
    },

    /** Commits anything pending now (shutdown). */
    flush: commit,
  };
}

export type SessionEngine = ReturnType<typeof createSessionEngine>;
