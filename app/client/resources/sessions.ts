import type { CallOptions, Http } from '../http.js';
import { bytesToFloat32, float32ToBytes, parseShape, shapeSize } from '../tensor-codec.js';

export interface CreateSessionOptions extends CallOptions {
  /** Shape of the weights tensor (the worker uses one flat vector: `[paramCount]`). */
  shape: number[];
  /** Initial weights, `shapeSize(shape)` numbers; zeros otherwise. */
  data?: ArrayLike<number>;
  /** Initial loss (default 0). */
  loss?: number;
  /** Merge rule `center = center * alpha + new * (1 - alpha)` (default 0.9). */
  alpha?: number;
  /** Choose the id (409 if taken); generated otherwise. */
  id?: string;
}

/** A session as JSON (GET /model/:mid/session/:sid). */
export interface SessionJson {
  id: string;
  model: string;
  loss: number;
  alpha: number;
  version?: number;
  weights: { shape: number[]; data: number[] };
  [extra: string]: unknown;
}

/** One posted loss: its `seq` (the paging cursor), the session version it was posted at, and when (ISO time). */
export interface LossPoint {
  seq: number;
  version: number;
  loss: number;
  at: string;
}

/** Which page of a loss history to read. */
export interface LossPageOptions extends CallOptions {
  /** Only points whose `seq` is above this (the last `seq` already read); default 0, from the start. */
  after?: number;
  /** At most this many points (the server's default and maximum: 10,000). */
  limit?: number;
}

/** A session's weights on the binary path. */
export interface SessionWeights {
  shape: number[];
  data: Float32Array;
  version: number | null;
  loss: number | null;
  alpha: number | null;
}

/** A session's scalars, read with HEAD so no weights are downloaded. */
export interface SessionStatus {
  shape: number[] | undefined;
  version: number | null;
  loss: number | null;
  alpha: number | null;
}

/** Routes under /model/:mid/session(s). */
export function sessionsApi(http: Http) {
  const model$ = (model: string) => `/model/${encodeURIComponent(model)}`;
  const session$ = (model: string, id: string) => `${model$(model)}/session/${encodeURIComponent(id)}`;
  const numberHeader = (headers: Headers, name: string) => (headers.has(name) ? Number(headers.get(name)) : null);
  // X-Next-After comes with a full page only: its absence means the history ends here.
  const lossPage = async (model: string, id: string, { after, limit, signal }: LossPageOptions = {}) => {
    const query = new URLSearchParams();
    if (after !== undefined) query.set('after', String(after));
    if (limit !== undefined) query.set('limit', String(limit));
    const search = query.toString();
    const response = await http.send('GET', `${session$(model, id)}/losses${search ? `?${search}` : ''}`, {
      headers: { Accept: 'application/json' },
      signal,
    });
    return { points: (await response.json()) as LossPoint[], nextAfter: numberHeader(response.headers, 'x-next-after') };
  };

  return {
    /** PUT /model/:id/session: creates a session; resolves to its id. */
    async create(model: string, options: CreateSessionOptions): Promise<{ id: string }> {
      const { shape, data, loss, alpha, id } = options;
      const body = { shape, loss, alpha, id, data: data ? Array.from(data) : undefined };
      return http.json<{ id: string }>('PUT', `${model$(model)}/session`, {
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        signal: options.signal,
      });
    },
    /** GET /model/:mid/sessions: the model's sessions. */
    list: (model: string, options?: CallOptions) => http.json<string[]>('GET', `${model$(model)}/sessions`, options),
    /** GET /model/:mid/session/:sid as JSON (weights as a number array: slow for big models). */
    get: (model: string, id: string, options?: CallOptions) => http.json<SessionJson>('GET', session$(model, id), options),
    /** HEAD /model/:mid/session/:sid: version, loss and alpha without the weights. */
    async status(model: string, id: string, options?: CallOptions): Promise<SessionStatus> {
      const h = await http.head(session$(model, id), options);
      return {
        shape: parseShape(h.get('x-tensor-shape')),
        version: numberHeader(h, 'x-session-version'),
        loss: numberHeader(h, 'x-session-loss'),
        alpha: numberHeader(h, 'x-session-alpha'),
      };
    },
    /** GET /model/:mid/session/:sid with `Accept: application/octet-stream`: float32 weights. */
    async weights(model: string, id: string, options?: CallOptions): Promise<SessionWeights> {
      const response = await http.send('GET', session$(model, id), { headers: { Accept: 'application/octet-stream' }, signal: options?.signal });
      const h = response.headers;
      const bytes = new Uint8Array(await response.arrayBuffer());
      // float32 is the default; a server may answer float64 (X-Tensor-Dtype) for exactness.
      const data = h.get('x-tensor-dtype') === 'float64' ? Float32Array.from(new Float64Array(bytes.slice().buffer)) : bytesToFloat32(bytes);
      return {
        shape: parseShape(h.get('x-tensor-shape')) ?? [data.length],
        data,
        version: numberHeader(h, 'x-session-version'),
        loss: numberHeader(h, 'x-session-loss'),
        alpha: numberHeader(h, 'x-session-alpha'),
      };
    },
    /** POST /model/:mid/session/:sid/weights as float32 bytes; merged with the alpha rule. */
    async postWeights(model: string, id: string, data: Float32Array, shape: number[] = [data.length], options?: CallOptions) {
      if (shapeSize(shape) !== data.length) throw new RangeError(`shape [${shape}] holds ${shapeSize(shape)} values, got ${data.length}`);
      return http.json<{ version: number }>('POST', `${session$(model, id)}/weights`, {
        headers: { 'Content-Type': 'application/octet-stream', 'X-Tensor-Shape': JSON.stringify(shape) },
        body: float32ToBytes(data) as Uint8Array<ArrayBuffer>,
        signal: options?.signal,
      });
    },
    /** POST /model/:mid/session/:sid/weights as JSON `{ shape, data }` (the spec's original form). */
    postWeightsJson(model: string, id: string, weights: { shape: number[]; data: ArrayLike<number> }, options?: CallOptions) {
      return http.json<{ version: number }>('POST', `${session$(model, id)}/weights`, {
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ shape: weights.shape, data: Array.from(weights.data) }),
        signal: options?.signal,
      });
    },
    /** POST /model/:mid/session/:sid/loss: records a loss in the session's history. */
    async postLoss(model: string, id: string, loss: number, options?: CallOptions): Promise<void> {
      await http.send('POST', `${session$(model, id)}/loss`, {
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ loss }),
        signal: options?.signal,
      });
    },
    /** GET /model/:mid/session/:sid/losses: one page of posted losses, oldest first. */
    losses: async (model: string, id: string, options?: LossPageOptions) => (await lossPage(model, id, options)).points,
    /** Every posted loss after `options.after` (default: all of them), oldest first, read page by page. */
    async allLosses(model: string, id: string, options: Omit<LossPageOptions, 'limit'> = {}): Promise<LossPoint[]> {
      const all: LossPoint[] = [];
      for (let after = options.after; ; ) {
        const page = await lossPage(model, id, { after, signal: options.signal });
        all.push(...page.points);
        if (page.nextAfter === null) return all;
        after = page.nextAfter;
      }
    },
  };
}
