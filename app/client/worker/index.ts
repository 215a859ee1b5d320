/** The training worker (needs @tensorflow/tfjs); browser-safe like the SDK itself. */
export { batchToTensors } from './batch-tensors.js';
export { withRetry, type RetryOptions } from './retry.js';
export { flatWeights, modelFromJson, modelToJson, paramCount, setFlatWeights, type ModelJson } from './tf-model.js';
export { trainWorker, type StepReport, type TrainWorkerOptions, type WorkerSummary } from './train-worker.js';
export { accuracy } from './evaluate.js';
export { createMnistModel, type MnistModelOptions } from './mnist-model.js';
export { createSessionFromModel } from './session-from-model.js';
