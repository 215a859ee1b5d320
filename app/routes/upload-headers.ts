import { z } from 'zod';
import { badRequest } from '../errors.js';
import { IdSchema, ShapeSchema, describeZodError } from '../validation.js';

/** Reads and checks a URL id (model, parser, dataset); 400 names which one is wrong. */
export function parseId(value: string, what: string): string {
  const result = IdSchema.safeParse(value);
  if (!result.success) throw badRequest(`Invalid ${what} '${printable(value)}': ${describeZodError(result.error)}.`, 'invalid_id');
  return result.data;
}

const NameSchema = z
  .string()
  .trim()
  .min(1, 'it is empty')
  .max(256, 'it is longer than 256 characters')
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'it holds control characters');

/** The x-amz-meta-name header of a model or parser upload. */
export function requireName(header: string | undefined, what: string): string {
  const hint = `send the ${what}'s name, e.g. -H 'x-amz-meta-name: mnist'`;
  if (header === undefined) throw badRequest(`Missing x-amz-meta-name header: ${hint}.`, 'missing_metadata');
  const result = NameSchema.safeParse(header);
  if (!result.success) throw badRequest(`Invalid x-amz-meta-name (${describeZodError(result.error)}): ${hint}.`, 'invalid_metadata');
  return result.data;
}

/** The x-amz-meta-shape header of a dataset upload: a JSON array of positive integers. */
export function requireShape(header: string | undefined): number[] {
  const hint = "send the shape of one record as a JSON array of positive integers, e.g. -H 'x-amz-meta-shape: [28,28]'";
  if (header === undefined) throw badRequest(`Missing x-amz-meta-shape header: ${hint}.`, 'missing_metadata');
  let json: unknown;
  try {
    json = JSON.parse(header);
  } catch {
    throw badRequest(`Invalid x-amz-meta-shape '${printable(header)}' (not JSON): ${hint}.`, 'invalid_metadata');
  }
  const result = ShapeSchema.safeParse(json);
  if (!result.success) {
    throw badRequest(`Invalid x-amz-meta-shape '${printable(header)}' (${describeZodError(result.error)}): ${hint}.`, 'invalid_metadata');
  }
  return result.data;
}

/** The x-amz-meta-parser header of a dataset upload: a parser id (existence is checked by the route). */
export function requireParserId(header: string | undefined): string {
  const hint = "send the id of an uploaded parser, e.g. -H 'x-amz-meta-parser: mnist-images'";
  if (header === undefined) throw badRequest(`Missing x-amz-meta-parser header: ${hint}.`, 'missing_metadata');
  const result = IdSchema.safeParse(header.trim());
  if (!result.success) throw badRequest(`Invalid x-amz-meta-parser '${printable(header)}': ${hint}.`, 'invalid_metadata');
  return result.data;
}

/** Echoes client input in messages without control characters or unbounded length. */
function printable(value: string): string {
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > 64 ? `${clean.slice(0, 64)}...` : clean;
}
