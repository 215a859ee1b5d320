import type { Context } from 'hono';
import type { AppEnv } from './env.js';
import { tagResponse } from './response-tags.js';

export interface CorsOptions {
  /** Allowed origins; '*' among them opens every origin. */
  origins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds: number;
}

/**
 * CORS with every header value joined once at start-up (hono/cors rebuilds them on each
 * request). Returns a step for the app's front door: it answers preflight itself with 204
 * (so preflight needs no route and no token), and otherwise sets the allowed origin and
 * the readable headers before the handler runs, so every answer, errors included, carries
 * them.
 */
export function corsHeaders(options: CorsOptions): (c: Context<AppEnv>) => Response | undefined {
  const anyOrigin = options.origins.includes('*');
  const allowed = new Set(options.origins);
  const exposeHeaders = options.exposeHeaders.join(',');
  // Behind a shared cache an answer naming one origin must not be served to another.
  const preflightVary = anyOrigin ? 'Access-Control-Request-Headers' : 'Origin, Access-Control-Request-Headers';
  const preflight: Record<string, string> = {
    'Access-Control-Expose-Headers': exposeHeaders,
    'Access-Control-Max-Age': String(options.maxAgeSeconds),
    'Access-Control-Allow-Methods': options.allowMethods.join(','),
    'Access-Control-Allow-Headers': options.allowHeaders.join(','),
    Vary: preflightVary,
  };
  const allowOrigin = (origin: string | undefined) => (anyOrigin ? '*' : origin !== undefined && allowed.has(origin) ? origin : null);

  return (c) => {
    const origin = allowOrigin(c.req.header('Origin'));
    if (c.req.method === 'OPTIONS') {
      return c.body(null, 204, origin ? { ...preflight, 'Access-Control-Allow-Origin': origin } : preflight);
    }
    if (origin) tagResponse(c, 'Access-Control-Allow-Origin', origin);
    tagResponse(c, 'Access-Control-Expose-Headers', exposeHeaders);
    // Appended through Hono: a handler's own Vary (compression) would replace a tag.
    if (!anyOrigin) c.header('Vary', 'Origin', { append: true });
    return undefined;
  };
}
