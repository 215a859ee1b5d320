/** The volunteer page, /train/:model/:session: runs the SDK's training worker in this tab. */
import type { StepReport } from '../app/client/worker/index.js';
import { trainWorker } from '../app/client/worker/index.js';
import { apiClient } from './api.js';
import { byId, setText } from './dom.js';
import { describeError, formatNumber } from './format.js';
import { createRateMeter } from './rate-meter.js';
import { useFastestBackend } from './tf-backend.js';
import { fragmentValue } from './tokens.js';

type State = 'idle' | 'starting' | 'training' | 'paused' | 'stopping' | 'stopped' | 'error';

const statusPollMs = 2_000;
const tokenLabel = 'Worker token';

const [model, session] = routeParams(location.pathname);
const ui = {
  form: byId<HTMLFormElement>('controls'),
  token: byId<HTMLInputElement>('token'),
  start: byId<HTMLButtonElement>('start'),
  stop: byId<HTMLButtonElement>('stop'),
  state: byId('state'),
  steps: byId('steps'),
  localLoss: byId('local-loss'),
  rate: byId('rate'),
  version: byId('version'),
  sessionLoss: byId('session-loss'),
  backend: byId('backend'),
};

let running: AbortController | null = null;
let steps = 0;
let newestVersion: number | null = null;
let statusFailed = false;
const rate = createRateMeter();

setText(byId('model'), model);
setText(byId('session'), session);
ui.token.value = fragmentValue('token') ?? '';
ui.form.addEventListener('submit', (event) => {
  event.preventDefault();
  void start();
});
ui.stop.addEventListener('click', () => {
  showState('stopping', 'Stopping after the request in flight…');
  running?.abort();
});
void pollStatus();
setInterval(() => setText(ui.rate, formatNumber(running ? rate.perSecond() : null, 3)), 1_000);

/** Runs the worker until Stop, a 4xx, or a broken model; network loss and 5xx only pause it. */
async function start() {
  if (running) return;
  const controller = new AbortController();
  running = controller;
  setRunning(true);
  showState('starting', 'Starting: choosing a TF.js backend and loading the model…');
  try {
    setText(ui.backend, await useFastestBackend());
    await trainWorker({
      server: apiClient(ui.token.value.trim()),
      model,
      session,
      steps: Infinity,
      signal: controller.signal,
      retry: {
        attempts: Infinity,
        baseDelayMs: 500,
        maxDelayMs: 10_000,
        onRetry: (error, attempt, delayMs) =>
          showState('paused', `Paused: ${error.message}. Retrying in ${(delayMs / 1000).toFixed(1)} s (attempt ${attempt}).`),
      },
      onStep,
    });
    showState('stopped', `Stopped after ${steps} steps.`);
  } catch (error) {
    showState('error', describeError(error, tokenLabel));
  } finally {
    running = null;
    rate.reset();
    setRunning(false);
  }
}

function onStep(report: StepReport) {
  steps += 1;
  rate.tick();
  setText(ui.steps, String(steps));
  setText(ui.localLoss, formatNumber(report.loss));
  showVersion(report.version);
  if (!running?.signal.aborted) showState('training', `Training: ${report.records} records of batch ${report.batch}.`);
}

/** The session's version and loss, whoever moved them; keeps polling whatever happens. */
async function pollStatus() {
  try {
    const status = await apiClient(ui.token.value.trim()).sessions.status(model, session);
    showVersion(status.version);
    setText(ui.sessionLoss, formatNumber(status.loss));
    if (statusFailed && !running) showState('idle', 'Ready.');
    statusFailed = false;
  } catch (error) {
    // While training, the worker reports trouble itself; when idle, a wrong link or token shows here.
    if (!running) showState('error', describeError(error, tokenLabel));
    statusFailed = !running;
  } finally {
    setTimeout(() => void pollStatus(), statusPollMs);
  }
}

/** Versions only grow: an older answer arriving late must not move the number back. */
function showVersion(version: number | null) {
  if (version == null || (newestVersion != null && version < newestVersion)) return;
  newestVersion = version;
  setText(ui.version, String(version));
}

function showState(state: State, text: string) {
  ui.state.dataset.state = state;
  setText(ui.state, text);
}

function setRunning(on: boolean) {
  ui.start.disabled = on;
  ui.stop.disabled = !on;
  ui.token.readOnly = on;
  (on ? ui.stop : ui.start).focus();
}

function routeParams(pathname: string): [string, string] {
  const match = pathname.match(/^\/train\/([^/]+)\/([^/]+)\/?$/);
  if (!match) throw new Error(`not a volunteer page path: ${pathname}`);
  return [decodeURIComponent(match[1]), decodeURIComponent(match[2])];
}
