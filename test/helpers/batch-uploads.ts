import { expect } from 'vitest';

/** Uploads through the real routes: PUT answers 307 to a signed URL, fetch re-sends the Blob there. */
async function upload(url: string, headers: Record<string, string>, body: Uint8Array | string): Promise<void> {
  const res = await fetch(url, { method: 'PUT', headers, body: new Blob([body as string | Uint8Array<ArrayBuffer>]) });
  expect(res.status, `${url}: ${await res.text()}`).toBeLessThan(300);
}

export const uploadModel = (base: string, id: string) =>
  upload(`${base}/model/${id}`, { 'x-amz-meta-name': id }, JSON.stringify({ modelTopology: {} }));

export const uploadParser = (base: string, id: string, source: string) =>
  upload(`${base}/parser/${id}`, { 'x-amz-meta-name': id }, source);

/** Uploads `/model/<model>/<kind>/<id>` with its record shape and parser metadata. */
export const uploadDataset = (
  base: string,
  model: string,
  kind: 'data' | 'labels',
  id: string,
  shape: number[],
  parser: string,
  bytes: Uint8Array | string,
) => upload(`${base}/model/${model}/${kind}/${id}`, { 'x-amz-meta-shape': JSON.stringify(shape), 'x-amz-meta-parser': parser }, bytes);

export interface BatchFields {
  data_parser?: string;
  label_parser?: string;
  batch_size?: string | number;
}

/** POST /model/:model/data/:id/batch with the fields as multipart (the spec's encoding), urlencoded or JSON. */
export function postBatch(
  base: string,
  model: string,
  id: string,
  fields: BatchFields,
  encoding: 'multipart' | 'urlencoded' | 'json' = 'multipart',
): Promise<Response> {
  const url = `${base}/model/${model}/data/${id}/batch`;
  const entries = Object.entries(fields).map(([k, v]) => [k, String(v)]);
  if (encoding === 'json') {
    return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(fields) });
  }
  if (encoding === 'urlencoded') return fetch(url, { method: 'POST', body: new URLSearchParams(entries) });
  const form = new FormData();
  for (const [k, v] of entries) form.append(k, v);
  return fetch(url, { method: 'POST', body: form });
}

/** Batches and expects 200 with its `{ batches, records }`. */
export async function batchOk(base: string, model: string, id: string, fields: BatchFields) {
  const res = await postBatch(base, model, id, fields);
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body as { batches: number; records: number };
}

export async function listBatches(base: string, model: string): Promise<string[]> {
  const res = await fetch(`${base}/model/${model}/batches`);
  expect(res.status).toBe(200);
  return res.json();
}

export interface DownloadedPart {
  bytes: Uint8Array;
  shape: number[];
  dtype: string;
}

/** HEAD for the metadata, then GET following the 307 by hand (as a worker does). */
export async function downloadPart(base: string, model: string, batch: string, part: 'data' | 'labels'): Promise<DownloadedPart> {
  const url = `${base}/model/${model}/batch/${batch}/${part}`;
  const head = await fetch(url, { method: 'HEAD' });
  expect(head.status).toBe(200);
  expect(await head.text()).toBe('');
  const redirect = await fetch(url, { redirect: 'manual' });
  expect(redirect.status).toBe(307);
  // An unread body keeps the connection busy and the test server's close waiting.
  await redirect.arrayBuffer();
  const object = await fetch(redirect.headers.get('location')!);
  expect(object.status).toBe(200);
  const bytes = new Uint8Array(await object.arrayBuffer());
  expect(Number(head.headers.get('content-length'))).toBe(bytes.byteLength);
  expect(head.headers.get('content-type')).toBe('application/octet-stream');
  // The object's own ETag, as the store gives it on download.
  expect(head.headers.get('etag')).toMatch(/^"[^"]+"$/);
  expect(head.headers.get('etag')).toBe(object.headers.get('etag'));
  expect(Date.parse(head.headers.get('last-modified')!)).not.toBeNaN();
  return { bytes, shape: JSON.parse(head.headers.get('x-amz-meta-shape')!), dtype: head.headers.get('x-amz-meta-dtype')! };
}
