import { count, eq } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import { sessions } from '../db/schema/sessions.js';
import type { AppEnv, Deps } from './env.js';
import { ApiError } from './errors.js';

/**
 * Throws a 409 once the model holds MAX_SESSIONS_PER_MODEL sessions: each session keeps a
 * full weights tensor, so an unbounded number is an unbounded disk and memory bill. Only
 * binding when nothing awaits between it and the insert (see PUT /model/:id/session).
 */
export function assertRoomForSession({ db, config }: Pick<Deps, 'db' | 'config'>, model: string): void {
  const limit = config.MAX_SESSIONS_PER_MODEL;
  const existing = db.select({ n: count() }).from(sessions).where(eq(sessions.model, model)).get()?.n ?? 0;
  if (existing >= limit) {
    throw new ApiError(
      409,
      'too_many_sessions',
      `Model '${model}' already has ${existing} sessions, the most allowed (MAX_SESSIONS_PER_MODEL=${limit}); reuse one of them.`,
    );
  }
}

/**
 * Refuses a new session for a full model before its body is read (a body may be hundreds
 * of megabytes). Mount on PUT /model/:id/session, before the route that creates it.
 */
export const capSessionsPerModel: MiddlewareHandler<AppEnv> = (c, next) => {
  const model = c.req.param('id');
  if (c.req.method === 'PUT' && model) assertRoomForSession(c.var, model);
  return next();
};
