import { createAdaptorServer, type HttpBindings, type Http2Bindings } from '@hono/node-server';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { routeTable, uploadRoutes } from './route-table.js';

const answersWithoutBody = routeTable(uploadRoutes);
/** How long a client may take to send its request headers (Node's own default). */
const headersTimeoutMs = 60_000;
/** How long a request body may stop arriving before its connection is dropped. */
const defaultBodyIdleMs = 60_000;

export interface NodeServerOptions {
  /** The app's fetch; `env` carries Node's request and response (routes that stream bodies use them). */
  fetch: (request: Request, env: HttpBindings | Http2Bindings) => Response | Promise<Response>;
  /** The listening host, for request URLs. */
  hostname?: string;
  /** Node's cap on a request's header block, in bytes. */
  maxHeaderSize?: number;
  /** A body that sends nothing for this long has its connection dropped (default 60 s). */
  bodyIdleTimeoutMs?: number;
}

/**
 * The app's Node HTTP server (not listening yet). By default Node answers every
 * `Expect: 100-continue` with 100, so curl sent a whole file to an upload route (which
 * answers 307 without reading it) and then again to the store. Upload routes now answer
 * without a 100 and the client sends no body (Node closes that connection, since the
 * announced body may still come); every other request gets its 100 as before.
 */
export function createNodeServer(options: NodeServerOptions): Server {
  const { fetch, hostname, maxHeaderSize, bodyIdleTimeoutMs = defaultBodyIdleMs } = options;
  const serverOptions = {
    // Node's default cuts off any request whose body is still arriving after 300 s (408):
    // an upload to the embedded store (MAX_UPLOAD_BYTES, 8 GiB by default) may take longer.
    // A body that stalls is dropped by dropStalledBody instead.
    requestTimeout: 0,
    // Set explicitly: by default it is min(60 s, requestTimeout), which would now be 0 (none).
    headersTimeout: headersTimeoutMs,
    ...(maxHeaderSize ? { maxHeaderSize } : {}),
  };
  const server = createAdaptorServer({ fetch, hostname, serverOptions }) as Server;
  server.on('request', (req, res) => dropStalledBody(req, res, bodyIdleTimeoutMs));
  server.on('checkContinue', (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (!answersWithoutBody(req.method ?? '', path)) res.writeContinue();
    server.emit('request', req, res);
  });
  return server;
}

/**
 * Arms the socket's idle timeout while the request body is still arriving, so a client that
 * stops sending mid-body loses its connection (Node destroys a socket that times out when
 * nobody handles 'timeout') instead of holding it and its buffers forever. Disarmed once the
 * body has ended or the answer is sent, unless Node has set its keep-alive timeout by then.
 */
function dropStalledBody(req: IncomingMessage, res: ServerResponse, idleMs: number): void {
  const declaresBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (!declaresBody || req.complete) return;
  const socket = req.socket;
  socket.setTimeout(idleMs);
  const disarm = () => {
    if (socket.timeout === idleMs) socket.setTimeout(0);
  };
  req.once('end', disarm);
  res.once('finish', disarm);
}
