import type { ModelView } from './dashboard-data.js';
import { el, setText, uniqueId } from './dom.js';
import { count, describeError } from './format.js';
import { createSessionRow } from './session-row.js';

/** Creates a session for a model and resolves to a line telling what was made. */
export type CreateSession = (model: string, options: { id?: string; alpha?: number }) => Promise<string>;

/** A model's section: datasets and batch count, its sessions' table, and a create-session form. */
export function createModelCard(model: string, onCreate: CreateSession) {
  const titleId = uniqueId('model');
  const title = el('h2', { id: titleId }, model);
  const summary = el('p', { class: 'meta', 'data-field': 'summary' });
  const rows = el('tbody');
  const empty = el('p', { class: 'hint' }, 'No session yet: create one below.');
  const table = el(
    'table',
    { class: 'sessions' },
    el('caption', {}, `Sessions of ${model}`),
    el('thead', {}, el('tr', {}, ...['Session', 'Version', 'Alpha', 'Loss', 'Loss curve', 'Volunteer link'].map((h) => el('th', { scope: 'col' }, h)))),
    rows,
  );
  const section = el('section', { class: 'model', 'aria-labelledby': titleId, 'data-model': model }, title, summary, table, empty, createForm(model, onCreate));
  const sessionRows = new Map<string, ReturnType<typeof createSessionRow>>();

  return {
    section,
    update(view: ModelView, workerToken: string) {
      setText(title, view.name && view.name !== model ? `${view.name} (${model})` : model);
      const datasets = view.datasets.map((d) => `${d.id}${d.shape ? ` [${d.shape}]` : ''}${d.parser ? ` via ${d.parser}` : ''}`);
      setText(summary, `Datasets: ${datasets.join(', ') || 'none'} · ${count(view.batches, 'batch', 'batches')} · ${count(view.sessions.size, 'session')}`);
      for (const [id, session] of view.sessions) {
        let row = sessionRows.get(id);
        if (!row) {
          row = createSessionRow(model, id);
          sessionRows.set(id, row);
          rows.append(row.row);
        }
        row.update(session, workerToken);
      }
      table.hidden = view.sessions.size === 0;
      empty.hidden = view.sessions.size > 0;
    },
  };
}

function createForm(model: string, onCreate: CreateSession): HTMLFormElement {
  const [idField, alphaField] = [uniqueId('session-id'), uniqueId('alpha')];
  const id = el('input', { id: idField, type: 'text', autocomplete: 'off', placeholder: 'generated', pattern: '[A-Za-z0-9][A-Za-z0-9._\\-]{0,127}' });
  const alpha = el('input', { id: alphaField, type: 'number', min: '0', max: '1', step: 'any', value: '0.9', required: '' });
  const button = el('button', { type: 'submit' }, 'Create session');
  const status = el('p', { class: 'hint', role: 'status', 'aria-live': 'polite' });
  const form = el(
    'form',
    { class: 'create', 'aria-label': `Create a session of ${model}` },
    el('label', { for: idField }, 'New session id'),
    id,
    el('label', { for: alphaField }, 'Alpha'),
    alpha,
    button,
    status,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    setText(status, 'Creating: building initial weights from the model’s initializers…');
    try {
      setText(status, await onCreate(model, { id: id.value.trim() || undefined, alpha: Number(alpha.value) }));
      id.value = '';
    } catch (error) {
      setText(status, describeError(error, 'Admin token'));
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
