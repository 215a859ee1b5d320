import { ApiError, badRequest } from '../errors.js';
import type { BufferPool } from './buffer-pool.js';

const firstChunkBytes = 64 * 1024;

export interface ReadBodyOptions {
  limit: number;
  /** Appended to the 413 message. */
  advice?: string;
  /** Where a body of known length takes its buffer from. */
  pool?: BufferPool;
  /** Sees the buffer after each chunk lands, while those bytes are still in the CPU cache. */
  onChunk?: (buffer: Uint8Array, filled: number) => void;
}

/**
 * Collects a request body into one buffer (byteOffset 0, so typed-array views line up),
 * answering 413 as soon as it is known to exceed `limit` bytes. With a Content-Length the
 * buffer is allocated once at its final size (taken from `pool` if given); without one it
 * doubles, so copying stays linear.
 */
export async function readBody(req: Request, { limit, advice, pool, onChunk }: ReadBodyOptions): Promise<Uint8Array> {
  const tooLarge = () =>
    new ApiError(413, 'payload_too_large', `Request body is over the limit of ${limit} bytes.${advice ? ` ${advice}` : ''}`);
  const declared = req.headers.get('content-length');
  const declaredSize = declared === null ? null : Number(declared);
  if (declaredSize !== null && declaredSize > limit) throw tooLarge();
  if (!req.body) return new Uint8Array(0);

  const reader = req.body.getReader();
  let buffer = declaredSize !== null && pool ? pool.take(declaredSize) : new Uint8Array(declaredSize ?? Math.min(limit, firstChunkBytes));
  let used = 0;
  for (;;) {
    const { done, value } = await reader.read().catch(() => {
      // The client went away mid-body: nothing was applied, and it is not a server fault.
      throw badRequest('The request body ended before it was complete.', 'body_aborted');
    });
    if (done) break;
    const end = used + value.byteLength;
    if (end > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    if (end > buffer.byteLength) {
      const grown = new Uint8Array(Math.min(limit, Math.max(end, buffer.byteLength * 2)));
      grown.set(buffer.subarray(0, used));
      buffer = grown;
    }
    buffer.set(value, used);
    used = end;
    onChunk?.(buffer, used);
  }
  return used === buffer.byteLength ? buffer : buffer.subarray(0, used);
}
