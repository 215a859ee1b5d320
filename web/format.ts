import { WebMLError } from '../app/client/index.js';

/** A loss or other float for display; '–' when unknown. */
export function formatNumber(value: number | null | undefined, digits = 4): string {
  if (value == null || Number.isNaN(value)) return '–';
  // Through Number again so 0.5 shows as 0.5, not 0.5000.
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(digits)));
}

/** What to tell a person about a failed call, with the next step for token errors. */
export function describeError(error: unknown, tokenField: string): string {
  if (error instanceof WebMLError) {
    if (error.status === 401) return `The server needs a token: enter it in "${tokenField}". (${error.message})`;
    if (error.status === 403) return `The server refused the token in "${tokenField}". (${error.message})`;
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** `1 model`, `3 models`, `2 batches`. */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
