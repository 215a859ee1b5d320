import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, WebMLError, type LossPoint, type WebMLClient } from '../app/client/index.js';
import { sessionRepo } from '../app/sessions/session-repo.js';
import { openDatabase } from '../db/open.js';
import { expectJsonError } from './helpers/object-routes.js';
import { startTestServer, type TestServer } from './helpers/server.js';

// GET .../losses pages by `seq`: `?after=<last seq read>&limit=<n>`, 10,000 points at most.
const maxPage = 10_000;
let server: TestServer;
let client: WebMLClient;
let losses: (session: string, query?: string) => string;

beforeAll(async () => {
  server = await startTestServer();
  client = createClient(server.url);
  await client.models.upload('m', '{}', { name: 'm' });
  losses = (session, query = '') => `${server.url}/model/m/session/${session}/losses${query}`;
});
afterAll(() => server.close({ remove: true }));

async function getPage(url: string): Promise<{ points: LossPoint[]; nextAfter: string | null }> {
  const res = await fetch(url);
  expect(res.status, url).toBe(200);
  return { points: (await res.json()) as LossPoint[], nextAfter: res.headers.get('x-next-after') };
}

describe('GET .../losses paging', () => {
  // Two sessions posting in turn, so one session's seqs have gaps.
  const posted = [0.9, 0.7, 0.5, 0.4, 0.3];
  let history: LossPoint[];
  beforeAll(async () => {
    for (const id of ['a', 'b']) await client.sessions.create('m', { shape: [1], id });
    for (const loss of posted) {
      await client.sessions.postLoss('m', 'a', loss);
      await client.sessions.postLoss('m', 'b', loss + 10);
    }
    history = (await getPage(losses('a'))).points;
  });

  it('with no query answers the whole short history, oldest first, each point with an increasing seq', async () => {
    expect(history.map((p) => p.loss)).toEqual(posted);
    const seqs = history.map((p) => p.seq);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]);
    expect(Object.keys(history[0]).sort()).toEqual(['at', 'loss', 'seq', 'version']);
    expect((await getPage(losses('a'))).nextAfter).toBeNull();
  });

  it('?after returns only later points of this session; after the last seq it is an empty page', async () => {
    expect((await getPage(losses('a', `?after=${history[1].seq}`))).points).toEqual(history.slice(2));
    expect((await getPage(losses('a', `?after=0`))).points).toEqual(history);
    const end = await getPage(losses('a', `?after=${history[4].seq}`));
    expect(end).toEqual({ points: [], nextAfter: null });
  });

  it('?limit cuts the page and a full page names the next cursor in X-Next-After', async () => {
    const first = await getPage(losses('a', '?limit=2'));
    expect(first.points).toEqual(history.slice(0, 2));
    expect(first.nextAfter).toBe(String(history[1].seq));
    const second = await getPage(losses('a', `?after=${first.nextAfter}&limit=2`));
    expect(second.points).toEqual(history.slice(2, 4));
    const last = await getPage(losses('a', `?after=${second.nextAfter}&limit=2`));
    expect(last).toEqual({ points: history.slice(4), nextAfter: null });
  });

  it.each([
    ['after', '?after=-1', /after: must be a whole number/],
    ['after', '?after=1.5', /after: must be a whole number/],
    ['after', '?after=abc', /after: must be a whole number/],
    ['after', '?after=', /after: must be a whole number/],
    ['limit', '?limit=0', /limit: must be at least 1/],
    ['limit', '?limit=2e3', /limit: must be a whole number/],
    ['limit', `?limit=${maxPage + 1}`, /limit: must be at most 10000; read the next page with \?after=/],
  ])('answers 400 for a bad %s (%s)', async (_, query, message) => {
    await expectJsonError(await fetch(losses('a', query)), 400, message);
  });

  it('still answers 404 for an unknown session with a valid query', async () => {
    await expectJsonError(await fetch(losses('none', '?after=1&limit=5')), 404, /Session 'none'/);
  });
});

describe('a history longer than one page', () => {
  const total = maxPage + 5;
  beforeAll(async () => {
    await client.sessions.create('m', { shape: [1], id: 'long' });
    // Rows straight into the table: posting 10,005 losses over HTTP would only slow the test.
    const sqlite = server.deps.db.$client;
    const insert = sqlite.prepare('INSERT INTO session_losses (model, session, version, loss, at) VALUES (?, ?, ?, ?, ?)');
    sqlite.transaction(() => {
      for (let i = 0; i < total; i++) insert.run('m', 'long', i, total - i, Date.now());
    })();
  });

  it('answers the first 10,000 points by default, then the rest after X-Next-After', async () => {
    const first = await getPage(losses('long'));
    expect(first.points).toHaveLength(maxPage);
    expect(first.nextAfter).toBe(String(first.points[maxPage - 1].seq));
    const rest = await getPage(losses('long', `?after=${first.nextAfter}`));
    expect(rest.points.map((p) => p.version)).toEqual([10_000, 10_001, 10_002, 10_003, 10_004]);
    expect(rest.nextAfter).toBeNull();
  });

  it('sessions.allLosses reads every page in order; losses reads one page', async () => {
    const all = await client.sessions.allLosses('m', 'long');
    expect(all.map((p) => p.version)).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(await client.sessions.losses('m', 'long')).toEqual(all.slice(0, maxPage));
    expect(await client.sessions.losses('m', 'long', { after: all[9].seq, limit: 3 })).toEqual(all.slice(10, 13));
    expect(await client.sessions.allLosses('m', 'long', { after: all[total - 3].seq })).toEqual(all.slice(-2));
  });

  it('sessions.losses turns a bad limit into a WebMLError 400', async () => {
    const error = await client.sessions.losses('m', 'long', { limit: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebMLError);
    expect(error).toMatchObject({ status: 400 });
  });
});

it("the page query is a range scan of the (model, session, seq) index, never the whole table", () => {
  const db = openDatabase(':memory:');
  const prepared: string[] = [];
  const prepare = db.$client.prepare.bind(db.$client);
  db.$client.prepare = ((sql: string) => (prepared.push(sql), prepare(sql))) as typeof db.$client.prepare;
  sessionRepo(db);
  const pageSql = prepared.filter((sql) => /^select .* from "session_losses"/.test(sql));
  expect(pageSql).toHaveLength(1);
  const plan = (prepare(`EXPLAIN QUERY PLAN ${pageSql[0]}`).all('m', 's', 0, 10) as Array<{ detail: string }>).map((r) => r.detail);
  expect(plan).toEqual([expect.stringMatching(/^SEARCH session_losses USING (COVERING )?INDEX session_losses_by_session \(model=\? AND session=\? AND (seq|rowid)>\?\)$/)]);
  db.$client.close();
});
