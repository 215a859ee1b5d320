import { createClient, type WebMLClient } from '../app/client/index.js';

/** An SDK client for the coordinator that served this page. */
export function apiClient(token: string): WebMLClient {
  return createClient({ server: location.origin, token: token || undefined });
}

/** The page's own URL for volunteering on a session, with the worker token in the fragment when given. */
export function volunteerLink(model: string, session: string, workerToken: string): string {
  const link = `${location.origin}/train/${encodeURIComponent(model)}/${encodeURIComponent(session)}`;
  return workerToken ? `${link}#token=${encodeURIComponent(workerToken)}` : link;
}
