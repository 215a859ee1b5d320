import * as tf from '@tensorflow/tfjs';

/**
 * The model format WebML stores: TF.js `model.json` without weights. It is what
 * `model.save(tf.io.withSaveHandler(...))` hands over, minus `weightSpecs`/`weightData`:
 * `{ format: 'layers-model', modelTopology, trainingConfig? }`. A bare topology (the output
 * of `model.toJSON(null, false)`) loads too. Weights live in the session, not here.
 */
export interface ModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  modelTopology: object;
  /** Loss and optimizer, as `model.compile` set them (`getTrainingConfig()`). */
  trainingConfig?: tf.io.TrainingConfig;
}

/** The stored JSON of a compiled model, weights left out. */
export async function modelToJson(model: tf.LayersModel): Promise<ModelJson> {
  let saved: ModelJson | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const { format, generatedBy, convertedBy, modelTopology, trainingConfig } = artifacts;
      saved = { format, generatedBy, convertedBy, modelTopology: modelTopology as object, ...(trainingConfig ? { trainingConfig } : {}) };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
    { includeOptimizer: true },
  );
  if (!saved) throw new Error('TF.js did not hand over the model artifacts');
  return saved;
}

/** Builds a model from its stored JSON; its weights come from the layers' own initializers. */
export async function modelFromJson(json: unknown): Promise<tf.LayersModel> {
  if (typeof json !== 'object' || json === null) throw new TypeError('a model definition must be a JSON object');
  const stored = json as Partial<ModelJson>;
  const artifacts: tf.io.ModelArtifacts = stored.modelTopology
    ? { modelTopology: stored.modelTopology, trainingConfig: stored.trainingConfig }
    : { modelTopology: json as object };
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

/** Number of trainable and non-trainable values, the length of a session's flat vector. */
export function paramCount(model: tf.LayersModel): number {
  return model.getWeights().reduce((sum, w) => sum + w.size, 0);
}

/** All weights in `getWeights()` order, concatenated into one vector. */
export function flatWeights(model: tf.LayersModel): Float32Array {
  const weights = model.getWeights();
  const flat = new Float32Array(weights.reduce((sum, w) => sum + w.size, 0));
  let offset = 0;
  for (const w of weights) {
    flat.set(w.dataSync() as Float32Array, offset);
    offset += w.size;
  }
  return flat;
}

/** Splits one vector into the model's weight tensors, in `getWeights()` order. */
export function setFlatWeights(model: tf.LayersModel, flat: Float32Array): void {
  const current = model.getWeights();
  const expected = current.reduce((sum, w) => sum + w.size, 0);
  if (flat.length !== expected) throw new RangeError(`the session holds ${flat.length} values but the model has ${expected} weights`);
  let offset = 0;
  const tensors = current.map((w) => {
    const t = tf.tensor(flat.subarray(offset, offset + w.size), w.shape, 'float32');
    offset += w.size;
    return t;
  });
  model.setWeights(tensors);
  tf.dispose(tensors);
}
