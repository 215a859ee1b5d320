import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { sessionLosses, sessions } from '../../db/schema/sessions.js';

/** A session row with its weights as float64. */
export interface StoredSession {
  model: string;
  id: string;
  shape: number[];
  alpha: number;
  loss: number;
  version: number;
  updatedAt: number;
  weights: Float64Array;
}

/** One point of a session's loss history. */
export interface LossPoint {
  version: number;
  loss: number;
  at: number;
}

/** A stored loss point with its `seq`: increasing across all sessions, the cursor for paging. */
export interface StoredLossPoint extends LossPoint {
  seq: number;
}

/** Which slice of a loss history to read: points whose seq is above `after`, at most `limit` of them. */
export interface LossPage {
  after: number;
  limit: number;
}

/** What one group commit writes for a session: its row, its weights only if they changed, and new loss points. */
export interface SessionChange {
  model: string;
  id: string;
  version: number;
  loss: number;
  updatedAt: number;
  weights: Float64Array | null;
  losses: LossPoint[];
}

/** The weights blob is the float64 array's own bytes (little-endian, checked in tensor-codec). */
const asBlob = (w: Float64Array) => Buffer.from(w.buffer, w.byteOffset, w.byteLength);

/** A bound parameter for `update().set()`, whose types accept SQL but not a bare placeholder. */
const param = (name: string) => sql`${sql.placeholder(name)}`;

/** Sessions, their weights and loss history in SQLite; the hot path's statements are prepared once. */
export function sessionRepo(db: Db) {
  const key = and(eq(sessions.model, sql.placeholder('model')), eq(sessions.id, sql.placeholder('id')));
  const findRow = db.select().from(sessions).where(key).prepare();
  const writeWithWeights = db
    .update(sessions)
    .set({
      weights: param('weights'),
      version: param('version'),
      loss: param('loss'),
      updatedAt: param('updatedAt'),
    })
    .where(key)
    .prepare();
  const writeRow = db
    .update(sessions)
    .set({ version: param('version'), loss: param('loss'), updatedAt: param('updatedAt') })
    .where(key)
    .prepare();
  const addLoss = db
    .insert(sessionLosses)
    .values({
      model: sql.placeholder('model'),
      session: sql.placeholder('id'),
      version: sql.placeholder('version'),
      loss: sql.placeholder('loss'),
      at: sql.placeholder('at'),
    })
    .prepare();
  const readLossPage = db
    .select({ seq: sessionLosses.seq, version: sessionLosses.version, loss: sessionLosses.loss, at: sessionLosses.at })
    .from(sessionLosses)
    .where(
      and(
        eq(sessionLosses.model, sql.placeholder('model')),
        eq(sessionLosses.session, sql.placeholder('id')),
        gt(sessionLosses.seq, sql.placeholder('after')),
      ),
    )
    .orderBy(asc(sessionLosses.seq))
    .limit(sql.placeholder('limit'))
    .prepare();

  return {
    /** The session, or null. Its weights are copied into an aligned Float64Array. */
    find(model: string, id: string): (StoredSession & { blobBytes: number }) | null {
      const row = findRow.get({ model, id });
      if (!row) return null;
      const weights = new Float64Array(Math.floor(row.weights.byteLength / 8));
      new Uint8Array(weights.buffer).set(row.weights.subarray(0, weights.byteLength));
      return { ...row, weights, blobBytes: row.weights.byteLength };
    },

    /** True when the session exists (without reading its weights). */
    exists(model: string, id: string): boolean {
      return !!db.select({ id: sessions.id }).from(sessions).where(and(eq(sessions.model, model), eq(sessions.id, id))).get();
    },

    /** Session ids of a model, oldest first. */
    listIds(model: string): string[] {
      return db
        .select({ id: sessions.id })
        .from(sessions)
        .where(eq(sessions.model, model))
        .orderBy(asc(sessions.createdAt), asc(sessions.id))
        .all()
        .map((r) => r.id);
    },

    /** Inserts and commits a session; false when the id is taken. */
    insert(session: StoredSession): boolean {
      return db.insert(sessions).values({ ...session, weights: asBlob(session.weights) }).onConflictDoNothing().run().changes === 1;
    },

    /** Writes every change in one synchronous immediate transaction: all of them or none. */
    commit(changes: SessionChange[]): void {
      db.transaction(
        () => {
          for (const c of changes) {
            const row = { model: c.model, id: c.id, version: c.version, loss: c.loss, updatedAt: c.updatedAt };
            if (c.weights) writeWithWeights.run({ ...row, weights: asBlob(c.weights) });
            else writeRow.run(row);
            for (const point of c.losses) addLoss.run({ model: c.model, id: c.id, ...point });
          }
        },
        { behavior: 'immediate' },
      );
    },

    /** One page of the session's loss history, in posting order (a range scan of the (model, session, seq) index). */
    lossPage(model: string, id: string, page: LossPage): StoredLossPoint[] {
      return readLossPage.all({ model, id, ...page });
    },
  };
}

export type SessionRepo = ReturnType<typeof sessionRepo>;
