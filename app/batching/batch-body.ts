import type { Context } from 'hono';
import { z } from 'zod';
import { badRequest } from '../errors.js';
import { IdSchema, parseOr400 } from '../validation.js';

/** Largest batch_size accepted; the batch byte cap (cut-batches.ts) bounds memory on top. */
export const maxBatchSize = 1_000_000;

// Form fields arrive as strings, JSON may send a number: accept both, but only digits. (A
// union of the two would answer a bad form value with zod's bare "Invalid input".)
const BatchSizeSchema = z.preprocess(
  (value) => (typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value),
  z
    .number({ error: 'must be a whole number, e.g. 32' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(maxBatchSize, `must be at most ${maxBatchSize}`),
);

const BatchBodySchema = z.object({
  data_parser: IdSchema,
  label_parser: IdSchema,
  batch_size: BatchSizeSchema,
});

export type BatchBody = z.infer<typeof BatchBodySchema>;

const usage = 'send data_parser, label_parser and batch_size as multipart/form-data, application/x-www-form-urlencoded or JSON';

/** Reads the batch request's fields from a form (multipart or urlencoded) or JSON body; 400 when one is missing or bad. */
export async function readBatchBody(c: Context): Promise<BatchBody> {
  const type = (c.req.header('Content-Type') ?? '').toLowerCase();
  const isForm = type.startsWith('multipart/form-data') || type.startsWith('application/x-www-form-urlencoded');
  const read = type.startsWith('application/json') ? () => c.req.json<unknown>() : isForm ? () => c.req.parseBody() : null;
  if (!read) throw badRequest(`Unsupported Content-Type '${type || 'none'}': ${usage}.`, 'unsupported_body');
  let fields: unknown;
  try {
    fields = await read();
  } catch (error) {
    throw badRequest(`Could not read the request body (${(error as Error).message}): ${usage}.`);
  }
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) throw badRequest(`The body must be an object: ${usage}.`);
  return parseOr400(BatchBodySchema, fields, 'batch request');
}
