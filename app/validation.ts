import { z } from 'zod';
import { badRequest } from './errors.js';

/** Object ids: safe as path segments and object-store keys. */
export const IdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'ids are 1-128 characters of A-Z a-z 0-9 . _ - and start with a letter or digit');

/** A tensor shape: a non-empty JSON array of positive integers. */
export const ShapeSchema = z.array(z.number().int().positive().max(2 ** 31)).min(1).max(32);

/** Renders a zod error as one line a person can act on. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/** Parses a value against a schema or throws a 400 naming `what`. */
export function parseOr400<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw badRequest(`Invalid ${what}: ${describeZodError(result.error)}`);
  return result.data;
}
