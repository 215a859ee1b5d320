import { count, eq } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import { sessions } from '../db/schema/sessions.js';
import type { AppEnv } from './env.js';
import { ApiError } from './errors.js';

/**
 * Refuses a new session once the model holds MAX_SESSIONS_PER_MODEL of them: each session
 * keeps a full weights tensor, so an unbounded number is an unbounded disk and memory bill.
 * Mount on PUT /model/:id/session, before the route that creates it.
 */
export const capSessionsPerModel: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method !== 'PUT') return next();
  const model = c.req.param('id');
  const limit = c.var.config.MAX_SESSIONS_PER_MODEL;
  if (model) {
    const existing = c.var.db.select({ n: count() }).from(sessions).where(eq(sessions.model, model)).get()?.n ?? 0;
    if (existing >= limit) {
      throw new ApiError(
        409,
        'too_many_sessions',
        `Model '${model}' already has ${existing} sessions, the most allowed (MAX_SESSIONS_PER_MODEL=${limit}); reuse one of them.`,
      );
    }
  }
  return next();
};
