import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';

/**
 * Sets a header that the answer to this request carries, whichever handler builds it (an
 * error included). Call it before the answer is written: before the handler runs, or in a
 * middleware once it has (@hono/node-server writes only after the app's fetch resolves).
 * On Node the header goes straight onto the ServerResponse, which merges it into the
 * answer: a web Headers object, Hono's way, costs about a microsecond a header to fill and
 * read back, on every request. Without Node bindings (`app.request()`) it goes through Hono.
 */
export function tagResponse(c: Context, name: string, value: string): void {
  const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
  if (outgoing) outgoing.setHeader(name, value);
  else c.header(name, value);
}
