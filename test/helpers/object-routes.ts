import { expect } from 'vitest';

/** A body holding every byte value, in an order that also catches shifted or reversed copies. */
export function everyByte(): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(3 * 256 + 7);
  for (let i = 0; i < bytes.length; i++) bytes[i] = i < 256 ? i : i < 512 ? 511 - i : (i * 37) % 256;
  return bytes;
}

export interface UploadAnswer {
  id: string;
  url: string;
  expiresAt: string;
}

/**
 * Uploads the way `curl -L -T` does, one step at a time: PUT to the app, expect a 307 to a
 * signed URL (with X-Object-Id and the JSON body agreeing with Location), then PUT the bytes
 * there. Returns the app's answer.
 */
export async function uploadThroughRedirect(
  url: string,
  headers: Record<string, string>,
  bytes: Uint8Array<ArrayBuffer>,
  contentType = 'application/octet-stream',
): Promise<UploadAnswer> {
  const res = await fetch(url, { method: 'PUT', headers, body: new Blob([bytes]), redirect: 'manual' });
  const answer = (await res.json()) as UploadAnswer;
  expect(res.status, JSON.stringify(answer)).toBe(307);
  expect(res.headers.get('location')).toBe(answer.url);
  expect(res.headers.get('x-object-id')).toBe(answer.id);
  const stored = await fetch(answer.url, { method: 'PUT', headers: { 'Content-Type': contentType }, body: new Blob([bytes]) });
  expect(stored.status, await stored.text()).toBe(200);
  return answer;
}

/** GET through the app's 307 and return the bytes the signed URL serves. */
export async function downloadThroughRedirect(url: string): Promise<Uint8Array> {
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status, await res.clone().text()).toBe(307);
  const object = await fetch(res.headers.get('location')!);
  expect(object.status).toBe(200);
  return new Uint8Array(await object.arrayBuffer());
}

/** Expects a 4xx/5xx answer with the JSON error body `{ error: { code, message } }`; returns the message. */
export async function expectJsonError(res: Response, status: number, message?: RegExp): Promise<string> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  const body = JSON.parse(text) as { error: { code: string; message: string } };
  expect(body.error.code).toEqual(expect.any(String));
  expect(body.error.message).toEqual(expect.any(String));
  if (message) expect(body.error.message).toMatch(message);
  return body.error.message;
}

export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return JSON.parse(text) as T;
}

/** Ids that must be refused with a 400: traversal, control characters, too long, bad first character. */
export const badIds = ['..%2F..', 'a%00b', 'a%0Ab', 'x%01', 'a'.repeat(200), '.hidden', '-dash', 'sp%20ace', 'caf%C3%A9'];
