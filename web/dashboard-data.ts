import type { LossPoint, WebMLClient } from '../app/client/index.js';
import type { SessionView } from './session-row.js';

export interface DatasetInfo {
  id: string;
  shape?: number[];
  parser?: string;
}

/** What the dashboard shows of one model. */
export interface ModelView {
  name?: string;
  datasets: DatasetInfo[];
  batches: number;
  sessions: Map<string, SessionView>;
}

/** Datasets never change once uploaded (ids cannot be reused), so their HEAD is asked once. */
const datasetInfo = new Map<string, Promise<DatasetInfo>>();

/** Each session's loss points read so far, by model then session: a refresh asks only for newer ones. */
const lossHistories = new Map<string, Map<string, LossPoint[]>>();

/** Everything about one model, read in parallel through the SDK. */
export async function loadModelView(client: WebMLClient, token: string, model: string): Promise<ModelView> {
  const [meta, dataIds, batchIds, sessionIds] = await Promise.all([
    client.models.head(model),
    client.data.list(model),
    client.batches.list(model),
    client.sessions.list(model),
  ]);
  const datasets = Promise.all(dataIds.map((id) => describeDataset(client, model, id)));
  const sessions = Promise.all(
    sessionIds.map(async (id): Promise<[string, SessionView]> => {
      const [status, losses] = await Promise.all([client.sessions.status(model, id), lossHistory(client, model, id)]);
      return [id, { status, losses }];
    }),
  );
  return { name: meta.name, datasets: await datasets, batches: batchIds.length, sessions: new Map(await sessions) };
}

function describeDataset(client: WebMLClient, model: string, id: string): Promise<DatasetInfo> {
  const key = `${model}/${id}`;
  let info = datasetInfo.get(key);
  if (!info) {
    info = client.data.head(model, id).then((meta) => ({ id, shape: meta.shape, parser: meta.parser }));
    // A failed HEAD (a token typed late, a hiccup) is asked again on the next refresh.
    info.catch(() => datasetInfo.delete(key));
    datasetInfo.set(key, info);
  }
  return info;
}

/** The session's whole loss history, fetching only the points after the newest one already held. */
async function lossHistory(client: WebMLClient, model: string, session: string): Promise<LossPoint[]> {
  let histories = lossHistories.get(model);
  if (!histories) lossHistories.set(model, (histories = new Map()));
  const known = histories.get(session) ?? [];
  const fresh = await client.sessions.allLosses(model, session, { after: known.at(-1)?.seq ?? 0 });
  // In place, one by one: a first read of a long run can hold more points than a spread call takes arguments.
  for (const point of fresh) known.push(point);
  histories.set(session, known);
  return known;
}
