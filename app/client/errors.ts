/** What went wrong, as the server (or the network) reported it. */
export class WebMLError extends Error {
  override readonly name = 'WebMLError';

  constructor(
    /** HTTP status; 0 when the server could not be reached at all. */
    readonly status: number,
    /** The server's machine-readable code (`not_found`, `conflict`...), or `network_error`. */
    readonly code: string,
    message: string,
    /** `METHOD url` of the request that failed, for logs. */
    readonly request: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Worth trying again: the network failed or the server had a 5xx moment. */
  get retryable(): boolean {
    return this.status === 0 || this.status >= 500;
  }
}

/** The server's codes for statuses whose answer has no body (HEAD). */
const codeByStatus: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  422: 'unprocessable',
  500: 'server_error',
  503: 'unavailable',
};

/** Builds a WebMLError from a non-2xx response, keeping the server's `{ error: { code, message } }`. */
export async function errorFromResponse(response: Response, request: string): Promise<WebMLError> {
  const text = await response.text().catch(() => '');
  let code = codeByStatus[response.status] ?? `http_${response.status}`;
  // HEAD answers carry no body: the status line is all there is to report.
  let message = text.trim().slice(0, 500) || `${response.status} ${response.statusText || code} from ${request}`;
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code === 'string') code = body.error.code;
    if (typeof body.error?.message === 'string') message = body.error.message;
  } catch {
    // Not our JSON (a proxy's HTML page, an S3 XML error): keep the raw text.
  }
  return new WebMLError(response.status, code, message, request);
}

/** Wraps a fetch rejection (refused connection, DNS) in a WebMLError; an abort stays itself. */
export function errorFromNetwork(cause: unknown, request: string): unknown {
  if (isAbort(cause)) return cause;
  const detail = networkDetail(cause);
  return new WebMLError(0, 'network_error', `Cannot reach ${request.split(' ')[1]}: ${detail}`, request, { cause });
}

/** True for the rejection an AbortSignal causes; such errors pass through untouched. */
export function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

/** Node's undici hides the useful part (ECONNREFUSED, "bad port") in `cause`. */
function networkDetail(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused';
  if (cause?.code === 'ENOTFOUND') return 'host not found';
  if (cause?.code) return cause.code;
  if (cause?.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
