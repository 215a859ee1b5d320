import * as tf from '@tensorflow/tfjs';
import type { IdxTensor } from '../idx.js';
import { batchToTensors } from './batch-tensors.js';

/**
 * Share of `images` the model labels right (argmax of its output vs the label byte), run in
 * chunks so a large held-out set never sits in memory as floats all at once.
 */
export function accuracy(model: tf.LayersModel, images: IdxTensor, labels: IdxTensor, chunk = 1000): number {
  const count = images.shape[0];
  if (labels.shape[0] !== count) throw new Error(`held-out set has ${count} images but ${labels.shape[0]} labels`);
  const perImage = images.data.length / count;
  let correct = 0;
  for (let start = 0; start < count; start += chunk) {
    const end = Math.min(count, start + chunk);
    const data = { shape: [end - start, ...images.shape.slice(1)], dtype: 'uint8' as const, size: null, bytes: images.data.subarray(start * perImage, end * perImage) };
    const truth = labels.data.subarray(start, end);
    const predicted = tf.tidy(() => {
      const { xs } = batchToTensors(model, data, { shape: [end - start, 1], dtype: 'uint8', size: null, bytes: truth });
      return (model.predict(xs) as tf.Tensor).argMax(-1).dataSync();
    });
    predicted.forEach((p, i) => {
      if (p === truth[i]) correct++;
    });
  }
  return correct / count;
}
