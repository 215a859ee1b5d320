import { z } from 'zod';
import { IdSchema, ShapeSchema } from '../validation.js';

// zod 4's z.number() already refuses NaN and ±Infinity (JSON's 1e999 parses to Infinity).
// `data` stays unknown here: a million-element zod array check is slow, tensor-codec checks it in one pass.

/** Body of PUT /model/:id/session. */
export const CreateSessionSchema = z.object({
  shape: ShapeSchema,
  loss: z.number().default(0),
  alpha: z.number().min(0).max(1).default(0.9),
  id: IdSchema.optional(),
  data: z.unknown().optional(),
});

/** A JSON tensor body of POST .../weights. */
export const TensorSchema = z.object({
  shape: ShapeSchema,
  data: z.unknown(),
});

/** Body of POST .../loss. */
export const PostLossSchema = z.object({ loss: z.number() });
