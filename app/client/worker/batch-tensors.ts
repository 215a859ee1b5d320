import * as tf from '@tensorflow/tfjs';
import type { BatchPart } from '../resources/batches.js';
import { bytesToFloat32, shapeSize } from '../tensor-codec.js';

/**
 * Turns a batch's bytes into model-ready tensors. uint8 data are pixels: scaled to [0, 1].
 * uint8 labels holding one value per record are class indices: one-hot over the model's
 * output units. float32 parts are used as they are. Records are reshaped to the model's
 * input/output shape when the element counts agree (`[n, 28, 28]` feeds a `[null, 784]` input).
 */
export function batchToTensors(model: tf.LayersModel, data: BatchPart, labels: BatchPart): { xs: tf.Tensor; ys: tf.Tensor } {
  const count = data.shape[0];
  if (labels.shape[0] !== count) throw new Error(`batch has ${count} data records but ${labels.shape[0]} labels`);
  const inputShape = model.inputs[0].shape.slice(1) as number[];
  const outputShape = model.outputs[0].shape.slice(1) as number[];
  return tf.tidy(() => ({
    xs: tf.tensor(values(data, true), [count, ...fit(data.shape.slice(1), inputShape, 'data')]),
    ys: labelTensor(labels, count, outputShape),
  }));
}

function labelTensor(labels: BatchPart, count: number, outputShape: number[]): tf.Tensor {
  const perRecord = shapeSize(labels.shape.slice(1));
  const classes = shapeSize(outputShape);
  if (labels.dtype === 'uint8' && perRecord === 1 && classes > 1) {
    const indices = tf.tensor1d(Int32Array.from(labels.bytes), 'int32');
    return tf.oneHot(indices, classes).reshape([count, ...outputShape]);
  }
  return tf.tensor(values(labels, false), [count, ...fit(labels.shape.slice(1), outputShape, 'labels')]);
}

function values(part: BatchPart, scalePixels: boolean): Float32Array {
  if (part.dtype === 'float32') return bytesToFloat32(part.bytes);
  const out = Float32Array.from(part.bytes);
  if (scalePixels) for (let i = 0; i < out.length; i++) out[i] /= 255;
  return out;
}

/** The model's record shape when the batch's record has as many elements, else an error a person can read. */
function fit(recordShape: number[], modelShape: number[], what: string): number[] {
  if (modelShape.every((d) => d > 0) && shapeSize(modelShape) === shapeSize(recordShape)) return modelShape;
  throw new Error(`batch ${what} records of shape [${recordShape}] do not fit the model's [${modelShape}]`);
}
