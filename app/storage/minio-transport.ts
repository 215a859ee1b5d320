import http from 'node:http';
import https from 'node:https';

/**
 * The `transport` the minio client sends its requests through, adding the deadlines the
 * client lacks: it retries only on 5xx answers and has no timeout, so a blackholed
 * endpoint would hang a request for the OS connect timeout (minutes). The connect
 * deadline runs until the socket connects; the answer deadline runs from the moment the
 * request body is sent until response headers arrive, so slow uploads and slow readers
 * of a download are never cut off.
 */
export function transportWithDeadlines(useSSL: boolean, timeoutMs: number): Pick<typeof http, 'request'> {
  const base = useSSL ? https : http;
  // The client always calls request(options, callback).
  const request = ((options: http.RequestOptions, callback?: (res: http.IncomingMessage) => void) => {
    const req = base.request(options, callback);
    let timer: NodeJS.Timeout | undefined;
    const arm = (what: string) => {
      clearTimeout(timer);
      timer = setTimeout(() => req.destroy(new Error(`object store did not ${what} within ${timeoutMs} ms`)), timeoutMs);
    };
    const disarm = () => clearTimeout(timer);
    arm('accept a connection');
    req.once('socket', (socket) => {
      if (socket.connecting) socket.once('connect', disarm);
      else disarm();
    });
    req.once('finish', () => arm('answer'));
    req.once('response', disarm);
    req.once('close', disarm);
    return req;
  }) as typeof http.request;
  return { request };
}
