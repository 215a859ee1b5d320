import * as tf from '@tensorflow/tfjs';

/** WebGL when this browser can open a WebGL context, the CPU backend otherwise; returns the one in use. */
export async function useFastestBackend(): Promise<string> {
  // Probing first keeps TF.js from logging a failed WebGL initialisation on GPU-less browsers.
  if (canUseWebGL() && (await tf.setBackend('webgl').catch(() => false))) return tf.getBackend();
  await tf.setBackend('cpu');
  return tf.getBackend();
}

function canUseWebGL(): boolean {
  const canvas = document.createElement('canvas');
  return Boolean(canvas.getContext('webgl2') ?? canvas.getContext('webgl'));
}
