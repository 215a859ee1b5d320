/**
 * Writes the MNIST classifier the demo trains as a TF.js model.json without weights
 * (what `webml push model` uploads; sessions hold the weights).
 *
 *   npx tsx scripts/mnist-model-json.ts <file> [hiddenUnits=32] [learningRate=0.01]
 */
import * as tf from '@tensorflow/tfjs';
import { writeFileSync } from 'node:fs';
import { createMnistModel, modelToJson } from '../app/client/worker/index.js';

const [file, hidden = '32', learningRate = '0.01'] = process.argv.slice(2);
if (!file) {
  console.error('usage: npx tsx scripts/mnist-model-json.ts <file> [hiddenUnits] [learningRate]');
  process.exit(1);
}
tf.env().set('PROD', true);
const model = createMnistModel({ hidden: Number(hidden), learningRate: Number(learningRate) });
writeFileSync(file, JSON.stringify(await modelToJson(model)));
console.log(`wrote ${file}: 784-${Number(hidden) > 0 ? `${hidden}-` : ''}10, Adam ${learningRate}`);
