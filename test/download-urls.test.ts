import { describe, expect, it } from 'vitest';
import { signedDownloadUrl } from '../app/routes/download-urls.js';
import type { ObjectStore } from '../app/storage/object-store.js';

/** A store whose presignGet numbers its URLs, so a test sees when it signed again. */
function countingStore(host = 'store.example') {
  let signed = 0;
  const store = { presignGet: async (key: string) => `https://${host}/${key}?n=${++signed}` } as unknown as ObjectStore;
  return { store, signed: () => signed };
}

describe('signedDownloadUrl', () => {
  it('hands out the same URL while at least half of its life is left, then signs a new one', async () => {
    const { store, signed } = countingStore();
    const t0 = 1_000_000;
    const first = await signedDownloadUrl(store, 'models/m', 120, t0);
    expect(await signedDownloadUrl(store, 'models/m', 120, t0 + 59_000)).toBe(first);
    expect(signed()).toBe(1);
    // 120 s URLs signed in whole seconds live at least 119 s: reuse stops at half of that.
    const second = await signedDownloadUrl(store, 'models/m', 120, t0 + 59_600);
    expect(second).not.toBe(first);
    expect(signed()).toBe(2);
  });

  it('keeps URLs apart per key and per store', async () => {
    const a = countingStore();
    const b = countingStore('other.example');
    const url = await signedDownloadUrl(a.store, 'models/m', 120);
    expect(await signedDownloadUrl(a.store, 'parsers/p', 120)).not.toBe(url);
    expect(await signedDownloadUrl(b.store, 'models/m', 120)).not.toBe(url);
    expect([a.signed(), b.signed()]).toEqual([2, 1]);
  });

  it('never reuses 1-second URLs (they may have only milliseconds left once signed)', async () => {
    const { store, signed } = countingStore();
    const t0 = 5_000_000;
    await signedDownloadUrl(store, 'models/m', 1, t0);
    await signedDownloadUrl(store, 'models/m', 1, t0);
    expect(signed()).toBe(2);
  });
});
