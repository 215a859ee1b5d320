import { BackendError } from '../errors.js';

const notFoundCodes = new Set(['NotFound', 'NoSuchKey']);

/** A failed client call as a store error (a 500 with our JSON body; the cause stays in the log). */
export function minioError(what: string, err: unknown): BackendError {
  return new BackendError('store', `MinIO: ${what} failed: ${(err as Error).message}`, { cause: err });
}

/** Runs a client call, turning its failure into a store error. */
export async function storeCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw minioError(what, err);
  }
}

/** Like storeCall, but "no such object" is null instead of an error. */
export async function storeCallOrNull<T>(what: string, call: () => Promise<T>): Promise<T | null> {
  try {
    return await call();
  } catch (err) {
    if (notFoundCodes.has((err as { code?: string }).code ?? '')) return null;
    throw minioError(what, err);
  }
}
