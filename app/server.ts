import { createAdaptorServer, type HttpBindings, type Http2Bindings } from '@hono/node-server';
import type { Server } from 'node:http';
import { routeTable, uploadRoutes } from './route-table.js';

const answersWithoutBody = routeTable(uploadRoutes);
/** How long a client may take to send its request headers (Node's own default). */
const headersTimeoutMs = 60_000;

export interface NodeServerOptions {
  /** The app's fetch; `env` carries Node's request and response (routes that stream bodies use them). */
  fetch: (request: Request, env: HttpBindings | Http2Bindings) => Response | Promise<Response>;
  /** The listening host, for request URLs. */
  hostname?: string;
  /** Node's cap on a request's header block, in bytes. */
  maxHeaderSize?: number;
}

/**
 * The app's Node HTTP server (not listening yet). By default Node answers every
 * `Expect: 100-continue` with 100, so curl sent a whole file to an upload route (which
 * answers 307 without reading it) and then again to the store. Upload routes now answer
 * without a 100 and the client sends no body (Node closes that connection, since the
 * announced body may still come); every other request gets its 100 as before.
 */
export function createNodeServer(options: NodeServerOptions): Server {
  const { fetch, hostname, maxHeaderSize } = options;
  const serverOptions = {
    // Node's default cuts off any request whose body is still arriving after 300 s (408):
    // an upload to the embedded store (MAX_UPLOAD_BYTES, 8 GiB by default) may take longer.
    requestTimeout: 0,
    // Set explicitly: by default it is min(60 s, requestTimeout), which would now be 0 (none).
    headersTimeout: headersTimeoutMs,
    ...(maxHeaderSize ? { maxHeaderSize } : {}),
  };
  const server = createAdaptorServer({ fetch, hostname, serverOptions }) as Server;
  server.on('checkContinue', (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (!answersWithoutBody(req.method ?? '', path)) res.writeContinue();
    server.emit('request', req, res);
  });
  return server;
}
