import { WebMLError } from '../errors.js';

export interface RetryOptions {
  /** Attempts in all, the first included (default 6). */
  attempts?: number;
  /** First delay; doubles each time, with jitter (default 250 ms). */
  baseDelayMs?: number;
  /** Longest delay (default 8 s). */
  maxDelayMs?: number;
  /** Told before each wait, e.g. to log "server unreachable, retrying in 2 s". */
  onRetry?: (error: WebMLError, attempt: number, delayMs: number) => void;
}

/** Runs `task` again after network errors and 5xx answers, backing off; other errors pass through. */
export async function withRetry<T>(task: () => Promise<T>, options: RetryOptions & { signal?: AbortSignal } = {}): Promise<T> {
  const { attempts = 6, baseDelayMs = 250, maxDelayMs = 8_000 } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await task();
    } catch (error) {
      if (!(error instanceof WebMLError) || !error.retryable || attempt >= attempts) throw error;
      const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
      options.onRetry?.(error, attempt, delay);
      await sleep(delay, options.signal);
    }
  }
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
