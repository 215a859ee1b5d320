import type { WebMLClient } from '../client.js';
import type { CreateSessionOptions } from '../resources/sessions.js';
import { flatWeights, modelFromJson } from './tf-model.js';

/**
 * Creates a session whose initial weights are the stored model's own initializers (the
 * model is built locally with TF.js), as one flat vector in `getWeights()` order.
 */
export async function createSessionFromModel(
  client: WebMLClient,
  model: string,
  options: Omit<CreateSessionOptions, 'shape' | 'data'> = {},
): Promise<{ id: string; params: number }> {
  const built = await modelFromJson(await client.models.getJson(model, { signal: options.signal }));
  const data = flatWeights(built);
  built.dispose();
  const { id } = await client.sessions.create(model, { ...options, shape: [data.length], data });
  return { id, params: data.length };
}
