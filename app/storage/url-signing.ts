import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The methods a signed blob URL can grant; HEAD is allowed by a GET signature. */
export type SignedMethod = 'GET' | 'PUT';

export type SignatureCheck = { ok: true } | { ok: false; reason: 'missing' | 'expired' | 'invalid' };

const secretFile = 'url-signing.key';

/**
 * Reads the URL-signing secret from `dataDir`, creating it once (mode 0600) when missing,
 * so signed links stay valid across restarts on the same data dir.
 */
export function loadSigningSecret(dataDir: string): Buffer {
  const file = path.join(dataDir, secretFile);
  try {
    // 'wx' fails when the file exists, so two processes starting at once agree on one secret.
    writeFileSync(file, randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const secret = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  if (secret.length < 32) throw new Error(`${file} holds no usable secret; delete it to create a new one.`);
  return secret;
}

function signature(secret: Buffer, method: SignedMethod, key: string, expires: number): string {
  // Newline-separated: neither methods nor decimal expiries contain one, so fields cannot blur.
  return createHmac('sha256', secret).update(`${method}\n${expires}\n${key}`).digest('hex');
}

/** Path part of a blob URL: each key segment percent-encoded, slashes kept. */
function blobPath(key: string): string {
  return `/blobs/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** A URL under `${publicUrl}/blobs/` granting `method` on `key` until `expirySeconds` pass. */
export function signBlobUrl(
  secret: Buffer,
  publicUrl: string,
  method: SignedMethod,
  key: string,
  expirySeconds: number,
  nowMs = Date.now(),
): string {
  const expires = Math.floor(nowMs / 1000) + expirySeconds;
  const query = new URLSearchParams({ expires: String(expires), signature: signature(secret, method, key, expires) });
  return `${publicUrl}${blobPath(key)}?${query}`;
}

/** Checks the `expires`/`signature` query of a blob URL against the method and key being used. */
export function verifyBlobSignature(
  secret: Buffer,
  method: SignedMethod,
  key: string,
  query: { expires?: string; signature?: string },
  nowMs = Date.now(),
): SignatureCheck {
  const { expires, signature: given } = query;
  if (!expires || !given) return { ok: false, reason: 'missing' };
  if (!/^\d{1,12}$/.test(expires) || !/^[0-9a-f]{64}$/.test(given)) return { ok: false, reason: 'invalid' };
  const expected = Buffer.from(signature(secret, method, key, Number(expires)), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(given, 'hex'))) return { ok: false, reason: 'invalid' };
  // Checked after the signature so a forged expiry cannot be told apart from a wrong one.
  if (Number(expires) * 1000 < nowMs) return { ok: false, reason: 'expired' };
  return { ok: true };
}
