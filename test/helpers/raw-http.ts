import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

/**
 * Sends a request exactly as given: the path is not normalized (`..` and `%2F` reach the
 * server as typed), any method and header goes. Rejects on a socket error or after `timeoutMs`.
 */
export function rawRequest(
  base: string,
  req: { method: string; path: string; headers?: Record<string, string>; body?: Buffer | null },
  timeoutMs = 10_000,
): Promise<RawResponse> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { hostname, port, method: req.method, path: req.path, headers: req.headers, agent, timeout: timeoutMs },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (part: Buffer) => parts.push(part));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString() }));
        res.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
    request.end(req.body ?? undefined);
  });
}

/**
 * Starts a request that declares `declared` body bytes, sends only `sent` of them, then
 * hangs up: what a client that crashes mid-upload does. Resolves once the socket is gone.
 */
export function abandonedRequest(
  base: string,
  req: { method: string; path: string; headers?: Record<string, string> },
  declared: number,
  sent: number,
): Promise<void> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    const request = http.request({
      hostname,
      port,
      method: req.method,
      path: req.path,
      headers: { ...req.headers, 'content-length': String(declared) },
      agent: false,
    });
    request.on('error', () => resolve());
    request.on('close', () => resolve());
    request.on('response', (res) => res.resume());
    request.write(Buffer.alloc(sent, 0x41), () => setTimeout(() => request.destroy(), 20));
  });
}
