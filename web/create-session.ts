/**
 * Loaded on demand by the dashboard: TF.js is only needed to create a session. Does what the
 * CLI's createSessionFromModel does (app/client/cli/commands/session.ts), from the same SDK
 * parts; that one cannot be bundled for a browser (its module imports commander).
 */
import * as tf from '@tensorflow/tfjs';
import { flatWeights, modelFromJson } from '../app/client/worker/index.js';
import type { WebMLClient } from '../app/client/index.js';

export interface NewSession {
  /** Chosen id; the server generates one when empty. */
  id?: string;
  alpha?: number;
}

/** Creates a session whose initial weights come from the model's own layer initializers. */
export async function createSessionFromModel(client: WebMLClient, model: string, options: NewSession): Promise<{ id: string; params: number }> {
  // A few thousand values to initialise: the CPU backend is quick and needs no GPU.
  await tf.setBackend('cpu');
  const built = await modelFromJson(await client.models.getJson(model));
  try {
    const data = flatWeights(built);
    const { id } = await client.sessions.create(model, { shape: [data.length], data, alpha: options.alpha, id: options.id });
    return { id, params: data.length };
  } finally {
    built.dispose();
  }
}
