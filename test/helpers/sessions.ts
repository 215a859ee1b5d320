import { expect } from 'vitest';
import { uploadThroughRedirect } from './object-routes.js';

/** Uploads a tiny model through the real upload routes so sessions can belong to it. */
export async function createModel(base: string, id: string): Promise<void> {
  const bytes = new TextEncoder().encode(JSON.stringify({ modelTopology: {}, id }));
  await uploadThroughRedirect(`${base}/model/${id}`, { 'x-amz-meta-name': id }, bytes);
}

export const putJson = (url: string, body: unknown) =>
  fetch(url, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

export const postJson = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

/** POSTs little-endian floats with X-Tensor-Shape (and X-Tensor-Dtype for float64). */
export function postBinary(url: string, values: Float32Array<ArrayBuffer> | Float64Array<ArrayBuffer>, shape: number[], headers: Record<string, string> = {}) {
  const dtype: Record<string, string> = values instanceof Float64Array ? { 'X-Tensor-Dtype': 'float64' } : {};
  return fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/octet-stream', 'X-Tensor-Shape': JSON.stringify(shape), ...dtype, ...headers },
    body: new Blob([values]),
  });
}

/** Creates a session and returns its id. */
export async function createSession(base: string, model: string, body: Record<string, unknown>): Promise<string> {
  const res = await putJson(`${base}/model/${model}/session`, body);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return (JSON.parse(text) as { id: string }).id;
}

export interface SessionJson {
  id: string;
  model: string;
  loss: number;
  alpha: number;
  version: number;
  updatedAt: string;
  weights: { shape: number[]; data: number[] };
}

export async function getSession(base: string, model: string, id: string): Promise<SessionJson> {
  const res = await fetch(`${base}/model/${model}/session/${id}`);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return JSON.parse(text) as SessionJson;
}

/** The EMA of `updates` applied to `start` one by one, computed exactly as the server must (float64). */
export function emaReference(start: ArrayLike<number>, updates: ArrayLike<number>[], alpha: number): Float64Array {
  const center = Float64Array.from(start);
  const beta = 1 - alpha;
  for (const u of updates) for (let i = 0; i < center.length; i++) center[i] = center[i] * alpha + u[i] * beta;
  return center;
}

/** Values exactly representable in float32 (so JSON and float32 bodies carry the same numbers). */
export function float32Values(n: number, seed: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x = (x * 1664525 + 1013904223) >>> 0;
    out[i] = (x / 2 ** 32 - 0.5) * 8;
  }
  return out;
}
