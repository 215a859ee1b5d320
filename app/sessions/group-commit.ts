import { BackendError } from '../errors.js';
import { createCommitter } from './committer.js';
import type { HotSession } from './session-cache.js';
import type { SessionChange } from './session-repo.js';

/** Requests waiting for one commit, and the sessions it writes. */
interface Group {
  sessions: Set<HotSession>;
  promise: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
}

function newGroup(): Group {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  // Every member awaits it; this keeps a failure nobody waits for from being "unhandled".
  promise.catch(() => {});
  return { sessions: new Set(), promise, resolve, reject };
}

/** Snapshot buffers kept for reuse (one commit's worth of the largest groups is plenty). */
const maxSpares = 4;

export interface GroupCommitHooks {
  /** A commit failed: the session's uncommitted changes are gone, drop its hot copy. */
  forget(session: HotSession): void;
  /** A commit is durable (a good moment to evict). */
  committed(): void;
}

/**
 * Group commit over the commit thread: one group is in flight at a time; sessions changed
 * meanwhile collect into the next group, which starts as soon as the first is durable. Each
 * changed session is written once per group, from a snapshot of its weights.
 */
export function groupCommit(file: string, hooks: GroupCommitHooks) {
  const committer = createCommitter(file);
  let collecting: Group | null = null;
  let inFlight: Group | null = null;
  let startScheduled = false;
  let commits = 0;
  // Snapshot buffers the commit thread handed back: copying into one costs a memcpy, while a
  // fresh multi-megabyte array costs page faults and garbage collection on every commit.
  let spares: Float64Array[] = [];
  const snapshot = (weights: Float64Array) => {
    const i = spares.findIndex((b) => b.length === weights.length);
    if (i < 0) return weights.slice();
    const [copy] = spares.splice(i, 1);
    copy.set(weights);
    return copy;
  };

  const toChange = (s: HotSession): SessionChange => {
    const change = {
      model: s.model,
      id: s.id,
      version: s.version,
      loss: s.loss,
      updatedAt: s.updatedAt,
      // A copy: the live weights keep taking merges while this one is written.
      weights: s.weightsChanged ? snapshot(s.weights) : null,
      losses: s.newLosses,
    };
    s.weightsChanged = false;
    s.newLosses = [];
    return change;
  };

  function start(): void {
    startScheduled = false;
    if (inFlight || !collecting) return;
    const group = collecting;
    collecting = null;
    inFlight = group;
    commits++;
    committer.commit([...group.sessions].map(toChange)).then(
      (returned) => {
        spares = [...returned, ...spares].slice(0, maxSpares);
        inFlight = null;
        group.resolve();
        hooks.committed();
        if (collecting) start();
      },
      (err: unknown) => {
        // Everything not yet committed is lost (the next group builds on this one): forget
        // those sessions so the next access reloads what SQLite holds, and fail their requests.
        inFlight = null;
        const lost = [group, collecting].filter((g): g is Group => g !== null);
        collecting = null;
        for (const g of lost) {
          for (const s of g.sessions) hooks.forget(s);
          g.reject(new BackendError('database', 'Could not commit session updates.', { cause: err }));
        }
      },
    );
  }

  const holding = (s: HotSession) => [inFlight, collecting].filter((g): g is Group => !!g?.sessions.has(s));

  return {
    /** Adds the session's changes to the next group; resolves once that group is durable. */
    join(session: HotSession): Promise<void> {
      collecting ??= newGroup();
      collecting.sessions.add(session);
      if (!inFlight && !startScheduled) {
        startScheduled = true;
        // After this turn's I/O callbacks, so the updates that arrived together share a commit.
        setImmediate(start);
      }
      return collecting.promise;
    },

    /** True while the session has changes that are not yet durable. */
    isPending: (session: HotSession) => holding(session).length > 0,

    /** Resolves once every change the session has now is durable. */
    async settled(session: HotSession): Promise<void> {
      await Promise.all(holding(session).map((g) => g.promise));
    },

    /** Gets the commit thread ready: a session is hot, so a commit is likely to follow. */
    warm: () => committer.warm(),

    /** Group commits started so far. */
    get commits() {
      return commits;
    },

    /** Commits whatever is pending, then stops the commit thread. */
    async close(): Promise<void> {
      while (inFlight || collecting) {
        if (!inFlight) start();
        await inFlight!.promise.catch(() => {});
      }
      await committer.close();
    },
  };
}
