import type { SessionView } from './engine.js';

/** Numbers per streamed chunk: ~1 MB of text. */
const chunkElements = 1 << 16;

/**
 * A session as the spec's JSON (`{ loss, weights: { shape, data }, alpha, model }` plus id,
 * version, updatedAt), streamed chunk by chunk from a snapshot, so a large session never
 * becomes one giant string (V8 caps strings at ~512 MB; 50M floats take ~1 GB of JSON).
 * Finite doubles print the same through join() as through JSON.stringify.
 */
export function sessionJson(session: SessionView): ReadableStream<Uint8Array> {
  const weights = session.weights.slice(); // the live weights keep taking merges while this streams
  const meta = JSON.stringify({
    id: session.id,
    model: session.model,
    loss: session.loss,
    alpha: session.alpha,
    version: session.version,
    updatedAt: new Date(session.updatedAt).toISOString(),
  });
  const encoder = new TextEncoder();
  let next = 0;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`${meta.slice(0, -1)},"weights":{"shape":${JSON.stringify(session.shape)},"data":[`));
    },
    pull(controller) {
      if (next >= weights.length) {
        controller.enqueue(encoder.encode(']}}'));
        controller.close();
        return;
      }
      const end = Math.min(weights.length, next + chunkElements);
      controller.enqueue(encoder.encode((next > 0 ? ',' : '') + weights.subarray(next, end).join(',')));
      next = end;
    },
  });
}
