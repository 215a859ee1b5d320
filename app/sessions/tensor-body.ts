import type { Context } from 'hono';
import type { Config } from '../config.js';
import type { AppEnv } from '../env.js';
import { badRequest } from '../errors.js';
import { parseOr400 } from '../validation.js';
import type { BufferPool } from './buffer-pool.js';
import { bodyOf, readBody } from './read-body.js';
import { TensorSchema } from './schemas.js';
import {
  bytesPerElement,
  elementCount,
  firstNonFinite,
  jsonDataToFloats,
  nonFiniteError,
  parseDtype,
  parseShapeHeader,
  sameShape,
  viewFloats,
} from './tensor-codec.js';

// V8's longest string: JSON text past it cannot even be decoded, let alone parsed.
const maxStringLength = 2 ** 29 - 24;
// A float64 in JSON takes at most 24 characters ("-2.2250738585072014e-308"); with a comma
// and pretty-printing indentation, 32 bytes per element covers any honest encoding.
const jsonBytesPerElement = 32;

/** Body caps for tensors: what the largest allowed session (MAX_PARAMS) can honestly need. */
export function tensorBodyLimits(config: Config) {
  return {
    binary: Math.min(config.MAX_TENSOR_BYTES, config.MAX_PARAMS * bytesPerElement.float64),
    json: Math.min(config.MAX_TENSOR_BYTES, config.MAX_PARAMS * jsonBytesPerElement + 64 * 1024, maxStringLength),
  };
}

const useBinary = 'Send large tensors as application/octet-stream float32 with an X-Tensor-Shape header.';

/** Reads and parses a JSON body of at most `limit` bytes, or throws a 400 (with `hint` when not JSON) or 413. */
export async function readJsonBody(c: Context, limit: number, hint?: string): Promise<unknown> {
  const text = new TextDecoder().decode(await readBody(bodyOf(c), { limit, advice: useBinary }));
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`Body is not valid JSON: ${(err as Error).message}${hint ? ` ${hint}` : ''}`);
  }
}

function assertShape(shape: readonly number[], expected: readonly number[]): void {
  if (!sameShape(shape, expected)) {
    throw badRequest(`Tensor shape [${shape}] does not match the session's shape [${expected}].`);
  }
}

/**
 * Reads one weights update for a session of shape `expected`: `application/octet-stream`
 * little-endian floats (X-Tensor-Shape, X-Tensor-Dtype) never touch JSON; anything else is
 * parsed as JSON `{ shape, data }` (the original clients send JSON without a proper type).
 * Binary values are a view on a buffer from `pool`: give `values` back once merged.
 */
export async function readTensorBody(c: Context<AppEnv>, expected: readonly number[], pool: BufferPool): Promise<Float32Array | Float64Array> {
  const { config } = c.var;
  const limits = tensorBodyLimits(config);
  const count = elementCount(expected);
  if ((c.req.header('content-type') ?? '').toLowerCase().startsWith('application/octet-stream')) {
    const shape = parseShapeHeader(c.req.header('x-tensor-shape'));
    const dtype = parseDtype(c.req.header('x-tensor-dtype'), 'X-Tensor-Dtype');
    assertShape(shape, expected);
    // Finiteness is checked chunk by chunk as the body lands, while it is still in cache
    // (a separate pass over a cold 4 MB body cost as much as the merge itself).
    const size = bytesPerElement[dtype];
    let checked = 0;
    let bad = -1;
    const bytes = await readBody(bodyOf(c), {
      limit: limits.binary,
      advice: `A session holds at most MAX_PARAMS (${config.MAX_PARAMS}) values.`,
      pool,
      onChunk(buffer, filled) {
        const whole = filled - (filled % size);
        if (bad >= 0 || whole <= checked) return;
        const found = firstNonFinite(viewFloats(buffer.subarray(checked, whole), dtype));
        if (found >= 0) bad = checked / size + found;
        checked = whole;
      },
    });
    const needed = count * size;
    if (bytes.byteLength !== needed) {
      throw badRequest(`Body has ${bytes.byteLength} bytes; ${count} ${dtype} values of shape [${shape}] take ${needed}.`);
    }
    const values = viewFloats(bytes, dtype);
    if (bad >= 0) throw nonFiniteError('data', bad, values[bad]);
    return values;
  }
  // Raw floats sent without the binary type (curl --data-binary says form-urlencoded) land here.
  const notJson = 'Send JSON { shape, data }, or raw floats with Content-Type: application/octet-stream and an X-Tensor-Shape header.';
  const { shape, data } = parseOr400(TensorSchema, await readJsonBody(c, limits.json, notJson), 'tensor');
  assertShape(shape, expected);
  return jsonDataToFloats(data, count, 'data');
}
