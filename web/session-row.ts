import type { LossPoint } from '../app/client/index.js';
import type { SessionStatus } from '../app/client/index.js';
import { volunteerLink } from './api.js';
import { el, setText, uniqueId } from './dom.js';
import { formatNumber } from './format.js';
import { createLossChart, drawLossChart } from './loss-chart.js';

export interface SessionView {
  status: SessionStatus;
  losses: LossPoint[];
}

/** One row of a model's session table; `update` refreshes it in place (focus and selection survive). */
export function createSessionRow(model: string, session: string) {
  const version = el('td', { class: 'num', 'data-field': 'version' }, '–');
  const alpha = el('td', { class: 'num', 'data-field': 'alpha' }, '–');
  const loss = el('td', { class: 'num', 'data-field': 'loss' }, '–');
  const chartLabel = `Loss curve of session ${session}`;
  const chart = createLossChart(chartLabel);
  const linkId = uniqueId('link');
  const link = el('input', { id: linkId, type: 'text', readonly: '', class: 'link', 'data-field': 'link' });
  const copied = el('span', { class: 'hint', role: 'status', 'aria-live': 'polite' });
  const copy = el('button', { type: 'button' }, 'Copy');
  copy.addEventListener('click', () => void copyLink(link, copied));
  const row = el(
    'tr',
    { 'data-session': session },
    el('th', { scope: 'row' }, session),
    version,
    alpha,
    loss,
    el('td', {}, chart),
    el('td', {}, el('div', { class: 'link-cell' }, el('label', { for: linkId, class: 'visually-hidden' }, `Volunteer link for session ${session}`), link, copy, copied)),
  );
  return {
    row,
    update(view: SessionView, workerToken: string) {
      setText(version, formatNumber(view.status.version));
      setText(alpha, formatNumber(view.status.alpha));
      setText(loss, formatNumber(view.status.loss));
      drawLossChart(chart, view.losses, chartLabel);
      const url = volunteerLink(model, session, workerToken);
      if (link.value !== url) link.value = url;
    },
  };
}

/** Copies with the Clipboard API; where it is refused, selects the text for Ctrl+C instead. */
async function copyLink(input: HTMLInputElement, status: HTMLElement) {
  try {
    await navigator.clipboard.writeText(input.value);
    setText(status, 'Copied.');
  } catch {
    input.focus();
    input.select();
    setText(status, 'Selected: press Ctrl+C to copy.');
  }
}
