/**
 * Re-cuts a byte stream into chunks of exactly `size` bytes (the last one may be shorter).
 * Each chunk owns its whole ArrayBuffer, so it can be transferred to a worker.
 */
export async function* rechunk(input: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  // Not zero-filled: a chunk is only ever read up to where it was filled.
  const allocate = () => Buffer.allocUnsafeSlow(size);
  let buffer = allocate();
  let filled = 0;
  for await (const piece of input) {
    let offset = 0;
    while (offset < piece.length) {
      const take = Math.min(size - filled, piece.length - offset);
      buffer.set(piece.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (filled === size) {
        yield buffer;
        // The consumer may keep the chunk it was given: never overwrite it.
        buffer = allocate();
        filled = 0;
      }
    }
  }
  if (filled > 0) yield buffer.subarray(0, filled);
}
