import { Http } from '../app/client/http.js';
import { createClient, parseShape, type WebMLClient } from '../app/client/index.js';

/** An SDK client for the coordinator that served this page. */
export function apiClient(token: string): WebMLClient {
  return createClient({ server: location.origin, token: token || undefined });
}

/** A session's scalars, as its HEAD answer's headers carry them. */
export interface SessionStatus {
  version: number | null;
  loss: number | null;
  alpha: number | null;
  shape: number[] | undefined;
}

/**
 * HEAD /model/:mid/session/:sid: version, loss and alpha without downloading the weights.
 * The SDK has no call for it yet; this goes through the SDK's own Http (token, errors).
 */
export async function sessionStatus(token: string, model: string, session: string, signal?: AbortSignal): Promise<SessionStatus> {
  const http = new Http({ server: location.origin, token: token || undefined });
  const headers = await http.head(`/model/${encodeURIComponent(model)}/session/${encodeURIComponent(session)}`, { signal });
  const number = (name: string) => (headers.has(name) ? Number(headers.get(name)) : null);
  return {
    version: number('x-session-version'),
    loss: number('x-session-loss'),
    alpha: number('x-session-alpha'),
    shape: parseShape(headers.get('x-tensor-shape')),
  };
}

/** The page's own URL for volunteering on a session, with the worker token in the fragment when given. */
export function volunteerLink(model: string, session: string, workerToken: string): string {
  const link = `${location.origin}/train/${encodeURIComponent(model)}/${encodeURIComponent(session)}`;
  return workerToken ? `${link}#token=${encodeURIComponent(workerToken)}` : link;
}
