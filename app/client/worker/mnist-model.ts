import * as tf from '@tensorflow/tfjs';

export interface MnistModelOptions {
  /** Units of the hidden ReLU layer; 0 for softmax regression (784 -> 10). */
  hidden?: number;
  /** Adam's learning rate, stored in the model's trainingConfig for the workers. */
  learningRate?: number;
}

/** A small compiled MNIST classifier: 784 inputs, optional hidden layer, 10-way softmax. */
export function createMnistModel({ hidden = 32, learningRate = 0.01 }: MnistModelOptions = {}): tf.LayersModel {
  const layers = hidden > 0
    ? [tf.layers.dense({ inputShape: [784], units: hidden, activation: 'relu' }), tf.layers.dense({ units: 10, activation: 'softmax' })]
    : [tf.layers.dense({ inputShape: [784], units: 10, activation: 'softmax' })];
  const model = tf.sequential({ layers });
  model.compile({ optimizer: tf.train.adam(learningRate), loss: 'categoricalCrossentropy' });
  return model;
}
