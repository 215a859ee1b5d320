import { expect } from 'vitest';
import { WebMLError } from '../../app/client/index.js';

/** Runs `call` and returns the WebMLError it must throw. */
export async function failure(call: () => Promise<unknown>): Promise<WebMLError> {
  const error = await call().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebMLError);
  return error as WebMLError;
}
