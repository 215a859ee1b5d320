import { errorFromNetwork, errorFromResponse } from './errors.js';

/** How to reach a WebML coordinator. */
export interface ClientOptions {
  /** Base URL of the coordinator, e.g. `http://localhost:8080`. */
  server: string;
  /** Sent as `Authorization: Bearer <token>` to the API (never to signed storage URLs). */
  token?: string;
  /** A fetch implementation; defaults to the global one (Node 20, browsers). */
  fetch?: typeof fetch;
}

/** Per-call options every SDK method accepts. */
export interface CallOptions {
  /** Aborts the request; the rejection is the signal's own AbortError, not a WebMLError. */
  signal?: AbortSignal;
}

export interface SendOptions extends CallOptions {
  headers?: Record<string, string>;
  body?: BodyInit;
  /** `manual` to read a 307's Location instead of following it. */
  redirect?: RequestRedirect;
}

/** The one place requests are made: base URL, bearer token, and error mapping. */
export class Http {
  readonly server: string;
  private readonly token?: string;
  private readonly fetchImpl: typeof fetch;

  constructor(options: ClientOptions) {
    this.server = options.server.replace(/\/+$/, '');
    this.token = options.token;
    // Bound, or browsers throw "Illegal invocation" when fetch is called as a method.
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** Absolute URL of an API path. */
  url(path: string): string {
    return `${this.server}${path}`;
  }

  /** Sends a request to the API; any answer outside 2xx (and 3xx when `manual`) throws a WebMLError. */
  async send(method: string, path: string, options: SendOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    return this.raw(method, this.url(path), { ...options, headers }, `${method} ${this.url(path)}`);
  }

  /** Sends to an absolute URL (a signed storage URL): no token, same error mapping. */
  async raw(method: string, url: string, options: SendOptions, label = `${method} ${url}`): Promise<Response> {
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers: options.headers,
        body: options.body,
        redirect: options.redirect ?? 'follow',
        signal: options.signal,
        // Required by Node for stream bodies; ignored for the rest.
        ...(isStream(options.body) ? { duplex: 'half' } : {}),
      } as RequestInit);
    } catch (error) {
      throw errorFromNetwork(error, label);
    }
    const redirected = options.redirect === 'manual' && (response.type === 'opaqueredirect' || isRedirect(response.status));
    if (!response.ok && !redirected) throw await errorFromResponse(response, label);
    return response;
  }

  /** GET (or another method) whose answer is JSON. */
  async json<T>(method: string, path: string, options: SendOptions = {}): Promise<T> {
    const response = await this.send(method, path, { ...options, headers: { Accept: 'application/json', ...options.headers } });
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** GET through the 307 to the signed URL; the object's bytes. */
  async bytes(path: string, options: CallOptions = {}): Promise<Uint8Array> {
    const response = await this.send('GET', path, options);
    return new Uint8Array(await response.arrayBuffer());
  }

  /** HEAD: the status said it exists; the headers carry its metadata. */
  async head(path: string, options: CallOptions = {}): Promise<Headers> {
    return (await this.send('HEAD', path, options)).headers;
  }
}

function isRedirect(status: number): boolean {
  return status >= 300 && status < 400;
}

function isStream(body: unknown): boolean {
  return typeof ReadableStream !== 'undefined' && body instanceof ReadableStream;
}
