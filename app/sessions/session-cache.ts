import type { LossPoint } from './session-repo.js';

/** A session held in memory: the source of truth between group commits. */
export interface HotSession {
  readonly key: string;
  readonly model: string;
  readonly id: string;
  readonly shape: number[];
  readonly alpha: number;
  loss: number;
  version: number;
  updatedAt: number;
  readonly weights: Float64Array;
  /** Weights changed since the last commit (a loss-only commit skips the blob). */
  weightsChanged: boolean;
  /** Loss points posted since the last commit. */
  newLosses: LossPoint[];
}

/** Cache key of a session. */
export const sessionKey = (model: string, id: string) => `${model}\u0000${id}`;

/** Hot sessions, least recently used first, evicted by the bytes their weights hold. */
export function hotSessionCache(budgetBytes: number) {
  const entries = new Map<string, HotSession>();
  let bytes = 0;
  let newest: HotSession | undefined;

  return {
    /** The session, now the most recently used; undefined if it is not hot. */
    get(key: string): HotSession | undefined {
      const session = entries.get(key);
      if (session) {
        entries.delete(key);
        entries.set(key, session);
        newest = session;
      }
      return session;
    },

    add(session: HotSession): void {
      entries.set(session.key, session);
      bytes += session.weights.byteLength;
      newest = session;
    },

    remove(session: HotSession): void {
      if (entries.get(session.key) !== session) return;
      entries.delete(session.key);
      bytes -= session.weights.byteLength;
    },

    /**
     * Drops least recently used sessions until the budget holds, skipping those `pinned`
     * keeps (uncommitted changes live only here) and never the most recently used one.
     */
    trim(pinned: (session: HotSession) => boolean): void {
      for (const session of entries.values()) {
        if (bytes <= budgetBytes) return;
        if (session === newest || pinned(session)) continue;
        this.remove(session);
      }
    },

    get bytes() {
      return bytes;
    },
  };
}
