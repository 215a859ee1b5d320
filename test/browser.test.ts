import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../app/client/index.js';
import { buildWeb } from '../web/build.js';
import { launchChromium, watchContext, type Browser } from './helpers/chromium.js';
import { seedMnistRun, type SeededRun } from './helpers/seed-training.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const adminToken = 'admin-token-for-the-browser-test';
const workerToken = 'worker-token-for-the-browser-test';
const artifacts = path.resolve('test-artifacts');

let server: TestServer;
let run: SeededRun;
let browser: Browser;
let watch: ReturnType<typeof watchContext>;
let page: Page;

beforeAll(async () => {
  // The same build `npm start` runs first: the test serves what users get.
  const [, started] = await Promise.all([buildWeb(), startTestServer({ env: { WEBML_ADMIN_TOKEN: adminToken, WEBML_WORKER_TOKEN: workerToken } })]);
  server = started;
  [run, browser] = await Promise.all([seedMnistRun(server.url, adminToken), launchChromium()]);
  watch = watchContext(browser.context);
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  mkdirSync(artifacts, { recursive: true });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.close({ remove: true });
});

/** The session's version as the server sees it (HEAD, no weights). */
async function serverVersion(session = run.session): Promise<number> {
  const res = await fetch(`${server.url}/model/${run.model}/session/${session}`, { method: 'HEAD', headers: { Authorization: `Bearer ${adminToken}` } });
  expect(res.status).toBe(200);
  return Number(res.headers.get('x-session-version'));
}

const steps = async () => Number(await page.locator('#steps').textContent());

/** Requests that went anywhere but this server (data: URLs never leave the page). */
const offsite = () => watch.requests.filter((url) => !url.startsWith(`${server.url}/`) && !url.startsWith('data:'));

describe('pages over HTTP', () => {
  it('serves the pages without a token, bundles as immutable, and 404s unknown assets', async () => {
    expect((await fetch(`${server.url}/models`)).status).toBe(401);
    for (const url of [`${server.url}/`, `${server.url}/train/${run.model}/${run.session}`]) {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      const html = await res.text();
      const scripts = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
      expect(scripts).toHaveLength(2);
      for (const asset of scripts) {
        const bundle = await fetch(`${server.url}${asset}`, { headers: { 'Accept-Encoding': 'gzip' } });
        expect(bundle.status).toBe(200);
        expect(bundle.headers.get('cache-control')).toContain('immutable');
        expect(bundle.headers.get('content-type')).toMatch(/^text\/(javascript|css)/);
        expect((await bundle.text()).length).toBeGreaterThan(100);
      }
    }
    for (const name of ['missing-ABC.js', '..%2Fdashboard.html', 'x.html']) {
      expect((await fetch(`${server.url}/assets/${name}`)).status).toBe(404);
    }
  });
});

// In order, in one browser: the last test draws the losses the volunteer page posted.
describe('in Chromium', () => {
  it('the dashboard asks for the admin token, then lists the seeded model, its data, batches and session', async () => {
    await page.goto(`${server.url}/`);
    await expect.poll(() => page.locator('#status').textContent()).toContain('needs a token');
    // Keyboard only: the token fields are labelled and Enter submits them.
    await page.getByLabel('Admin token').fill(adminToken);
    await page.getByLabel('Worker token for volunteer links').fill(workerToken);
    await page.getByLabel('Worker token for volunteer links').press('Enter');
    const row = page.locator(`[data-model="${run.model}"] tr[data-session="${run.session}"]`);
    await row.waitFor();
    // The only errors so far are the refused requests made before the token was given.
    expect(watch.errors.every((e) => e.includes('401')), watch.errors.join('\n')).toBe(true);

    // The token lives in sessionStorage: a reload loads everything with no error at all.
    watch.clear();
    await page.reload();
    await row.waitFor();
    const model = page.locator(`[data-model="${run.model}"]`);
    await expect.poll(() => model.locator('[data-field="summary"]').textContent()).toContain(`${run.batches} batches`);
    expect(await model.locator('[data-field="summary"]').textContent()).toContain('train [28,28] via idx-images');
    expect(await row.locator('[data-field="alpha"]').textContent()).toBe('0.5');
    expect(await row.locator('[data-field="version"]').textContent()).toBe(String(await serverVersion()));
    const link = await row.locator('[data-field="link"]').inputValue();
    expect(link).toBe(`${server.url}/train/${run.model}/${run.session}#token=${workerToken}`);
    expect(watch.errors).toEqual([]);
    expect(offsite()).toEqual([]);
  }, 60_000);

  it('the volunteer page trains through the SDK worker, pauses while the server is gone, and stops on Stop', async () => {
    watch.clear();
    // The link the dashboard hands out (checked above), token in the fragment.
    await page.goto(`${server.url}/train/${run.model}/${run.session}#token=${workerToken}`);
    expect(await page.getByLabel('Worker token').inputValue()).toBe(workerToken);
    const startVersion = await serverVersion();
    await page.getByRole('button', { name: 'Start' }).click();

    await expect.poll(serverVersion, { timeout: 30_000 }).toBeGreaterThanOrEqual(startVersion + 5);
    const stepsMidway = await steps();
    expect(stepsMidway).toBeGreaterThanOrEqual(1);
    await expect.poll(steps, { timeout: 10_000 }).toBeGreaterThan(stepsMidway);
    expect(await page.locator('#state').getAttribute('data-state')).toBe('training');
    expect(Number(await page.locator('#version').textContent())).toBeGreaterThan(startVersion);
    expect(await page.locator('#backend').textContent()).toMatch(/^(webgl|cpu)$/);
    await page.screenshot({ path: path.join(artifacts, 'volunteer.png'), fullPage: true });
    expect(watch.errors).toEqual([]);
    expect(offsite()).toEqual([]);

    // The server "goes away": every API call fails at the network level. The page pauses and keeps trying.
    await page.route('**/model/**', (route) => route.abort('connectionrefused'));
    await expect.poll(() => page.locator('#state').getAttribute('data-state'), { timeout: 15_000 }).toBe('paused');
    expect(await page.locator('#state').textContent()).toMatch(/Retrying in/);
    const stepsWhilePaused = await steps();
    await page.unroute('**/model/**');
    await expect.poll(steps, { timeout: 20_000 }).toBeGreaterThan(stepsWhilePaused);
    await expect.poll(() => page.locator('#state').getAttribute('data-state')).toBe('training');
    watch.clear();

    await page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => page.locator('#state').getAttribute('data-state'), { timeout: 15_000 }).toBe('stopped');
    const [stoppedVersion, stoppedSteps] = [await serverVersion(), await steps()];
    await page.waitForTimeout(2_000);
    expect(await serverVersion()).toBe(stoppedVersion);
    expect(await steps()).toBe(stoppedSteps);
    expect(await page.getByRole('button', { name: 'Start' }).isEnabled()).toBe(true);
    expect(watch.errors).toEqual([]);
    expect(offsite()).toEqual([]);
  }, 90_000);

  it('the dashboard draws the loss curve and creates a session the API then returns', async () => {
    watch.clear();
    await page.goto(`${server.url}/`);
    const model = page.locator(`[data-model="${run.model}"]`);
    const chart = model.locator(`tr[data-session="${run.session}"] svg.loss-chart`);
    const client = createClient({ server: server.url, token: adminToken });
    const posted = (await client.sessions.losses(run.model, run.session)).length;
    expect(posted).toBeGreaterThanOrEqual(5);
    await expect.poll(() => chart.getAttribute('data-points')).toBe(String(posted));
    expect((await chart.locator('polyline').getAttribute('points'))!.split(' ')).toHaveLength(posted);
    // Later refreshes ask only for losses after the newest one drawn, and add them to the curve.
    const newest = (await client.sessions.allLosses(run.model, run.session)).at(-1)!.seq;
    for (const loss of [0.25, 0.125]) await client.sessions.postLoss(run.model, run.session, loss);
    await expect.poll(() => chart.getAttribute('data-points'), { timeout: 10_000 }).toBe(String(posted + 2));
    expect((await chart.locator('polyline').getAttribute('points'))!.split(' ')).toHaveLength(posted + 2);
    expect(watch.requests).toContain(`${server.url}/model/${run.model}/session/${run.session}/losses?after=${newest}`);
    await page.screenshot({ path: path.join(artifacts, 'dashboard.png'), fullPage: true });

    await model.getByLabel('New session id').fill('from-dashboard');
    await model.getByLabel('Alpha').fill('0.75');
    await model.getByRole('button', { name: 'Create session' }).click();
    await expect.poll(() => model.locator('form.create [role="status"]').textContent(), { timeout: 20_000 }).toContain('Created session from-dashboard');

    expect(await client.sessions.list(run.model)).toContain('from-dashboard');
    const created = await client.sessions.get(run.model, 'from-dashboard');
    expect(created).toMatchObject({ alpha: 0.75, version: 0, weights: { shape: [run.params] } });
    // Initial weights from the layers' initializers: random kernel (not zeros), zero biases.
    const kernel = created.weights.data.slice(0, run.params - 10);
    expect(new Set(kernel).size).toBeGreaterThan(kernel.length / 2);
    expect(created.weights.data.slice(-10)).toEqual(new Array(10).fill(0));
    await model.locator('tr[data-session="from-dashboard"]').waitFor();
    expect(watch.errors).toEqual([]);
    expect(offsite()).toEqual([]);
  }, 60_000);

  it('a script on another origin sends the token and reads the custom headers of an answer', async () => {
    await page.goto(`${server.url}/`);
    // localhost and 127.0.0.1 are different origins to the browser: this goes through CORS,
    // preflight included (the Authorization header is not a simple one).
    const other = server.url.replace('127.0.0.1', 'localhost');
    const seen = await page.evaluate(
      async ({ url, token }) => {
        const res = await fetch(url, { method: 'HEAD', headers: { Authorization: `Bearer ${token}`, 'X-Request-Id': 'cross-origin-1' } });
        return { status: res.status, version: res.headers.get('x-session-version'), requestId: res.headers.get('x-request-id') };
      },
      { url: `${other}/model/${run.model}/session/${run.session}`, token: workerToken },
    );
    expect(seen).toEqual({ status: 200, version: String(await serverVersion()), requestId: 'cross-origin-1' });
  });
});
