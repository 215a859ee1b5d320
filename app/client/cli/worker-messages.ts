/** What a forked `webml worker` tells the `train` process over IPC. */
export type WorkerMessage =
  | { type: 'step'; step: number; loss: number; version: number | null }
  | { type: 'done'; steps: number; aborted: boolean };

/** Training knobs passed from `train`/`demo` to each worker process. */
export interface TrainingKnobs {
  steps: number;
  miniBatch?: number;
  epochs?: number;
  learningRate?: number;
}

/** The same knobs as `webml worker` command-line arguments. */
export function knobsToArgs(knobs: TrainingKnobs): string[] {
  const args = ['--steps', String(knobs.steps)];
  if (knobs.miniBatch) args.push('--mini-batch', String(knobs.miniBatch));
  if (knobs.epochs) args.push('--epochs', String(knobs.epochs));
  if (knobs.learningRate) args.push('--learning-rate', String(knobs.learningRate));
  return args;
}
