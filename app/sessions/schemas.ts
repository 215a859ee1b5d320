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

/** The most loss points one GET .../losses answers with, and its page size when `?limit` is absent. */
export const maxLossPage = 10_000;

const wholeNumber = (example: string) => z.string().regex(/^\d{1,15}$/, `must be a whole number, e.g. ${example}`).transform(Number);

/** Query of GET .../losses: `after` is the `seq` of the last point already read (0: from the start). */
export const LossPageQuerySchema = z.object({
  after: wholeNumber('?after=0').default(0),
  limit: wholeNumber('?limit=100')
    .pipe(z.number().min(1, 'must be at least 1').max(maxLossPage, `must be at most ${maxLossPage}; read the next page with ?after=<seq of the last point>`))
    .default(maxLossPage),
});
