/** TF.js for CLI commands, loaded only by the commands that train or evaluate. */
export async function loadTf() {
  const tf = await import('@tensorflow/tfjs');
  // PROD silences the "install tfjs-node" banner and skips debug checks.
  tf.env().set('PROD', true);
  return tf;
}
