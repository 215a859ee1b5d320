import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import type { Config } from './config.js';
import type { AppEnv } from './env.js';
import { ApiError } from './errors.js';
import { routeTable, type RouteRule } from './route-table.js';

/** Who may call a route: anyone, a worker (or the admin), or the admin only. */
export type Role = 'public' | 'worker' | 'admin';

/**
 * The one table of exceptions to the default: reads (GET/HEAD) need the worker role and
 * every other method the admin role, so a route added later is protected without an entry
 * here. Signed /blobs URLs carry their own grant; preflight requests never carry credentials.
 */
const roleRules: Array<RouteRule & { role: Role }> = [
  { method: 'OPTIONS', pattern: '*', role: 'public' },
  { method: '*', pattern: '/healthz', role: 'public' },
  { method: '*', pattern: '/blobs/*', role: 'public' },
  // The browser pages hold no data; the API calls they make carry the tokens.
  { method: ['GET', 'HEAD'], pattern: '/', role: 'public' },
  { method: ['GET', 'HEAD'], pattern: '/train/:model/:session', role: 'public' },
  { method: ['GET', 'HEAD'], pattern: '/assets/*', role: 'public' },
  { method: 'POST', pattern: '/model/:model/session/:session/weights', role: 'worker' },
  { method: 'POST', pattern: '/model/:model/session/:session/loss', role: 'worker' },
];
const findRoleRule = routeTable(roleRules);

/** The role a request needs, from the table above or the method's default. */
export function roleFor(method: string, path: string): Role {
  const rule = findRoleRule(method, path);
  if (rule) return rule.role;
  return method === 'GET' || method === 'HEAD' ? 'worker' : 'admin';
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Tokens that grant a role, or none when the role is open. The admin token also grants the
 * worker role. When only a worker token is set, admin routes take it too rather than stay
 * open to anyone while reads are closed.
 */
function acceptedTokens(role: 'worker' | 'admin', config: Config): Buffer[] {
  const admin = config.WEBML_ADMIN_TOKEN;
  const worker = config.WEBML_WORKER_TOKEN;
  if (role === 'admin') return admin ? [digest(admin)] : worker ? [digest(worker)] : [];
  if (!worker) return [];
  return admin ? [digest(admin), digest(worker)] : [digest(worker)];
}

/** The token of an `Authorization: Bearer ...` header, or null. */
function bearerToken(header: string | undefined): string | null {
  const match = header?.match(/^Bearer[ \t]+(\S+)[ \t]*$/i);
  return match ? match[1] : null;
}

/** Compares digests (always 32 bytes) so neither length nor content leaks through timing. */
function matchesAny(token: string, accepted: Buffer[]): boolean {
  const presented = digest(token);
  let ok = false;
  for (const candidate of accepted) ok = timingSafeEqual(presented, candidate) || ok;
  return ok;
}

/**
 * A check for the app's front door: throws 401 when a request lacks the token its route's
 * role needs, 403 when the token is wrong.
 */
export function requireToken(config: Config): (c: Context<AppEnv>) => void {
  // No token configured: every route is open, so there is nothing to look up.
  if (!config.WEBML_ADMIN_TOKEN && !config.WEBML_WORKER_TOKEN) return () => {};
  const tokensFor = { public: [], worker: acceptedTokens('worker', config), admin: acceptedTokens('admin', config) };
  // Named after what is configured: with only a worker token set, admin routes take it too.
  const needsFor = {
    public: '',
    worker: config.WEBML_ADMIN_TOKEN ? 'a worker or admin token' : 'the worker token',
    admin: config.WEBML_ADMIN_TOKEN ? 'the admin token' : 'the worker token',
  };
  return (c) => {
    const role = roleFor(c.req.method, c.req.path);
    const accepted = tokensFor[role];
    if (accepted.length === 0) return;
    const needs = needsFor[role];
    const token = bearerToken(c.req.header('Authorization'));
    if (token === null) {
      c.header('WWW-Authenticate', 'Bearer realm="webml"');
      throw new ApiError(401, 'unauthorized', `${c.req.method} ${c.req.path} needs ${needs}: send "Authorization: Bearer <token>".`);
    }
    if (!matchesAny(token, accepted)) {
      throw new ApiError(403, 'forbidden', `The bearer token is not valid for ${c.req.method} ${c.req.path}; it needs ${needs}.`);
    }
  };
}
