import type { ObjectStore } from '../storage/object-store.js';

interface Signed {
  url: string;
  /** Until when the URL is handed out again (ms since epoch). */
  reuseUntil: number;
}

const byStore = new WeakMap<ObjectStore, Map<string, Signed>>();
/** Keys remembered per store; past it the memory starts over (signing again is only slower). */
const maxKeys = 10_000;

/**
 * A signed GET URL for `key`, reused while at least half of its life is left. Signing is
 * most of a download redirect's cost (MinIO's SigV4 derives its key with four HMACs per
 * URL), and every worker asks for the same model and batches. Stores sign whole seconds,
 * so one second is taken off the life first: 1-second URLs are never reused.
 */
export async function signedDownloadUrl(store: ObjectStore, key: string, expirySeconds: number, now = Date.now()): Promise<string> {
  let urls = byStore.get(store);
  if (!urls) byStore.set(store, (urls = new Map()));
  const cached = urls.get(key);
  if (cached && cached.reuseUntil > now) return cached.url;
  const url = await store.presignGet(key, expirySeconds);
  if (urls.size >= maxKeys) urls.clear();
  urls.set(key, { url, reuseUntil: now + (expirySeconds * 1000 - 1000) / 2 });
  return url;
}
