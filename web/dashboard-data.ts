import type { WebMLClient } from '../app/client/index.js';
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
      const [status, losses] = await Promise.all([client.sessions.status(model, id), client.sessions.losses(model, id)]);
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
