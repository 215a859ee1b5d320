/** The operator dashboard, `/`: every model, its data and sessions, refreshed every few seconds. */
import { apiClient } from './api.js';
import { loadModelView, type ModelView } from './dashboard-data.js';
import { byId, setText } from './dom.js';
import { count, describeError } from './format.js';
import { createModelCard } from './model-card.js';
import { rememberToken, storedToken } from './tokens.js';

const refreshMs = 3_000;
const adminKey = 'webml.adminToken';
const workerKey = 'webml.workerToken';

const ui = {
  tokens: byId<HTMLFormElement>('tokens'),
  adminToken: byId<HTMLInputElement>('admin-token'),
  workerToken: byId<HTMLInputElement>('worker-token'),
  status: byId('status'),
  updated: byId('updated'),
  models: byId('models'),
};
const cards = new Map<string, ReturnType<typeof createModelCard>>();
let timer: ReturnType<typeof setTimeout> | undefined;
let inFlight: Promise<void> | null = null;

ui.adminToken.value = storedToken(adminKey);
ui.workerToken.value = storedToken(workerKey);
ui.tokens.addEventListener('submit', (event) => {
  event.preventDefault();
  rememberToken(adminKey, ui.adminToken.value.trim());
  rememberToken(workerKey, ui.workerToken.value.trim());
  void refreshNow();
});
void refreshNow();

/** Refreshes at once (after any refresh in flight), then every few seconds. */
async function refreshNow() {
  clearTimeout(timer);
  await inFlight;
  inFlight = refresh().finally(() => {
    inFlight = null;
    timer = setTimeout(() => void refreshNow(), refreshMs);
  });
}

async function refresh() {
  const token = storedToken(adminKey);
  const client = apiClient(token);
  try {
    const ids = await client.models.list();
    const views = await Promise.all(ids.map((id) => loadModelView(client, token, id).catch((error: unknown) => error)));
    const failed = views.filter((v) => !isView(v));
    ids.forEach((id, i) => {
      const view = views[i];
      if (isView(view)) cardFor(id).update(view, storedToken(workerKey));
    });
    for (const [id, card] of cards) {
      if (ids.includes(id)) continue;
      card.section.remove();
      cards.delete(id);
    }
    const problem = failed.length ? ` · ${failed.length} could not be read: ${describeError(failed[0], 'Admin token')}` : '';
    setText(ui.status, `${ids.length ? count(ids.length, 'model') : 'No model uploaded yet'}${problem}`);
    // Apart from the live status, so screen readers are not told the time every few seconds.
    setText(ui.updated, `Updated ${new Date().toLocaleTimeString()}; refreshes every ${refreshMs / 1000} s.`);
    ui.status.dataset.state = failed.length ? 'error' : 'ok';
  } catch (error) {
    setText(ui.status, describeError(error, 'Admin token'));
    ui.status.dataset.state = 'error';
  }
}

function isView(value: unknown): value is ModelView {
  return typeof value === 'object' && value !== null && 'sessions' in value;
}

function cardFor(model: string) {
  let card = cards.get(model);
  if (!card) {
    card = createModelCard(model, createSession);
    cards.set(model, card);
    ui.models.append(card.section);
  }
  return card;
}

async function createSession(model: string, options: { id?: string; alpha?: number }): Promise<string> {
  // TF.js loads only now: most visits never create a session.
  const { createSessionFromModel } = await import('./create-session.js');
  const { id, params } = await createSessionFromModel(apiClient(storedToken(adminKey)), model, options);
  void refreshNow();
  return `Created session ${id} with ${params} initial weights.`;
}
