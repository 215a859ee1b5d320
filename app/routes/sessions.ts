import { Hono, type Context } from 'hono';
import { whenWritable } from '../../db/when-writable.js';
import type { AppEnv } from '../env.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { assertRoomForSession } from '../resource-caps.js';
import type { SessionView } from '../sessions/engine.js';
import { CreateSessionSchema, LossPageQuerySchema, PostLossSchema } from '../sessions/schemas.js';
import { sessionJson } from '../sessions/session-json.js';
import { readJsonBody, readTensorBody, tensorBodyLimits } from '../sessions/tensor-body.js';
import { elementCount, encodeFloats, jsonDataToFloats, parseDtype } from '../sessions/tensor-codec.js';
import { IdSchema, parseOr400 } from '../validation.js';
import { requireModel } from './upload-status.js';

/**
 * Session routes (spec "Session Handlers", DESIGN.md "Sessions"). Decisions where both are silent:
 * - Every route answers 404 for a model that does not exist or whose upload has not finished,
 *   naming the model; then 404 for the session. Ids that could never exist are a 400.
 * - PUT: `data` must hold exactly as many finite numbers as `shape` (else 400); alpha 0 and 1
 *   are allowed; loss must be finite. POST .../loss answers 200 with an empty body (spec).
 * - POST .../weights: `application/octet-stream` is binary; any other type is parsed as JSON.
 *   Bodies over what a MAX_PARAMS tensor can need (8 B per float64 value, 32 B per JSON value)
 *   are a 413. A client that disconnects mid-body gets nothing applied.
 * - GET: the newest merged state (every acknowledged update is in it, and it may hold updates
 *   whose commit is still in flight); `Accept: application/octet-stream` gives the weights
 *   as bytes, `?dtype` other than float32/float64 is a 400. The X-Session-* and
 *   X-Tensor-Shape headers come with every answer, HEAD included. A stored session whose
 *   blob does not fit its shape is the spec's "not proper JSON" 400.
 * - GET .../losses: posted losses as `[{ seq, version, loss, at }]`, oldest first, one page at a
 *   time: `?limit` points (default and most: 10,000) whose `seq` is above `?after` (default 0).
 *   A client pages by asking again with `?after=<seq of the last point>` until a page comes back
 *   shorter than its limit; a full page also carries that cursor as `X-Next-After`. Clients that
 *   send no query get the first page, as before. Bad values are a 400.
 */
export const sessionRoutes = new Hono<AppEnv>();

type Ctx = Context<AppEnv>;

const modelId = (c: Ctx, name: string) => parseOr400(IdSchema, c.req.param(name), 'model id');
const sessionId = (c: Ctx) => parseOr400(IdSchema, c.req.param('sid'), 'session id');

/** A 404 for the model if it is not stored, else a 404 for the session. */
async function sessionNotFound(c: Ctx, model: string, id: string) {
  await requireModel(c.var, model);
  return notFound(`Session '${id}' of model '${model}' does not exist.`, 'session_not_found');
}

/** The session's scalars as headers, on JSON and binary answers alike. */
function setSessionHeaders(c: Ctx, s: SessionView) {
  c.header('X-Tensor-Shape', JSON.stringify(s.shape));
  c.header('X-Session-Version', String(s.version));
  c.header('X-Session-Loss', String(s.loss));
  c.header('X-Session-Alpha', String(s.alpha));
}

sessionRoutes.put('/model/:id/session', async (c) => {
  const model = modelId(c, 'id');
  await requireModel(c.var, model);
  const body = parseOr400(CreateSessionSchema, await readJsonBody(c, tensorBodyLimits(c.var.config).json), 'session');
  const count = elementCount(body.shape);
  if (count > c.var.config.MAX_PARAMS) {
    throw badRequest(`shape [${body.shape}] holds ${count} values; this server allows at most ${c.var.config.MAX_PARAMS} (MAX_PARAMS).`);
  }
  const data = body.data === undefined ? undefined : jsonDataToFloats(body.data, count, 'data');
  const id = await whenWritable(() => {
    // Checked again with no await before the insert: concurrent creates all passed the early
    // check (capSessionsPerModel) while their bodies were still arriving.
    assertRoomForSession(c.var, model);
    return c.var.sessions.create({ model, id: body.id, shape: body.shape, alpha: body.alpha, loss: body.loss, data });
  });
  if (id === null) throw conflict(`Session '${body.id}' of model '${model}' already exists.`, 'session_exists');
  return c.json({ id });
});

sessionRoutes.get('/model/:mid/sessions', async (c) => {
  const model = modelId(c, 'mid');
  await requireModel(c.var, model);
  return c.json(c.var.sessions.list(model));
});

// Hono runs this for HEAD too: HEAD gets the headers without serializing the weights.
sessionRoutes.get('/model/:mid/session/:sid', async (c) => {
  const [model, id] = [modelId(c, 'mid'), sessionId(c)];
  const dtype = parseDtype(c.req.query('dtype'), '?dtype');
  const session = c.var.sessions.read(model, id);
  if (!session) throw await sessionNotFound(c, model, id);
  // Serialize before any await: the engine keeps merging into the live weights.
  setSessionHeaders(c, session);
  if (c.req.method === 'HEAD') return c.body(null, 200);
  if ((c.req.header('accept') ?? '').includes('application/octet-stream')) {
    c.header('X-Tensor-Dtype', dtype);
    c.header('Content-Type', 'application/octet-stream');
    return c.body(encodeFloats(session.weights, dtype));
  }
  c.header('Content-Type', 'application/json');
  return c.body(sessionJson(session));
});

sessionRoutes.get('/model/:mid/session/:sid/losses', async (c) => {
  const [model, id] = [modelId(c, 'mid'), sessionId(c)];
  const page = parseOr400(LossPageQuerySchema, c.req.query(), 'losses query');
  const points = await c.var.sessions.losses(model, id, page);
  if (!points) throw await sessionNotFound(c, model, id);
  if (points.length === page.limit) c.header('X-Next-After', String(points[points.length - 1].seq));
  return c.json(points.map((p) => ({ seq: p.seq, version: p.version, loss: p.loss, at: new Date(p.at).toISOString() })));
});

sessionRoutes.post('/model/:mid/session/:sid/loss', async (c) => {
  const [model, id] = [modelId(c, 'mid'), sessionId(c)];
  if (!c.var.sessions.shapeOf(model, id)) throw await sessionNotFound(c, model, id);
  const { loss } = parseOr400(PostLossSchema, await readJsonBody(c, c.var.config.MAX_JSON_BYTES), 'loss');
  const version = await c.var.sessions.postLoss(model, id, loss);
  if (version === null) throw await sessionNotFound(c, model, id);
  return c.body(null, 200);
});

sessionRoutes.post('/model/:mid/session/:sid/weights', async (c) => {
  const [model, id] = [modelId(c, 'mid'), sessionId(c)];
  const { sessions } = c.var;
  const shape = sessions.shapeOf(model, id);
  if (!shape) throw await sessionNotFound(c, model, id);
  const update = await readTensorBody(c, shape, sessions.bodies);
  const acknowledged = sessions.merge(model, id, update);
  // merge() has applied the update before its first await: the body buffer is free again.
  sessions.bodies.give(new Uint8Array(update.buffer));
  const version = await acknowledged;
  if (version === null) throw await sessionNotFound(c, model, id);
  return c.json({ version });
});
