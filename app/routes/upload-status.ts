import { conflict, notFound } from '../errors.js';
import type { Deps } from '../env.js';
import { modelUploads } from '../repos/named-uploads.js';
import type { UploadEntry } from '../repos/uploads.js';

type Status = Omit<UploadEntry, 'id'>;

const capitalized = (s: string) => `${s[0].toUpperCase()}${s.slice(1)}`;
const until = (entry: Status) => new Date(entry.expiresAt).toISOString();

/**
 * How a pending upload stands: waited for until its entry expires (its URL's expiry, later
 * with MinIO: see ObjectStore.lateUploadGraceMs), or expired while an upload that started
 * in time is still streaming into the embedded store (such a row is kept; see isReceiving).
 */
const uploadState = (entry: Status) =>
  entry.expiresAt > Date.now()
    ? `is in progress until ${until(entry)}`
    : `is still arriving (its URL expired at ${until(entry)}, after the upload started)`;

/** The entry if its object is stored; otherwise a 404 saying whether an upload is under way. `subject` is e.g. "model 'mnist'". */
export function requireReady<Entry extends Status>(entry: Entry | null, subject: string, code: string): Entry {
  if (entry?.status === 'ready') return entry;
  if (entry) throw notFound(`${capitalized(subject)} is not stored yet: its upload ${uploadState(entry)}.`, code);
  throw notFound(`${capitalized(subject)} does not exist.`, code);
}

/** A 409 for an id that cannot take a new upload, saying whether it is stored or being uploaded. */
export function takenError(subject: string, entry: Status, code: string) {
  if (entry.status === 'ready') return conflict(`${capitalized(subject)} already exists; choose another id.`, code);
  const freed = entry.expiresAt > Date.now() ? 'if no object arrives by then' : 'if that upload fails';
  return conflict(`An upload of ${subject} ${uploadState(entry)}; the id is free again ${freed}.`, code);
}

/** 404 unless the model's object is stored: data, batches and sessions only belong to stored models. */
export async function requireModel({ db, store }: Pick<Deps, 'db' | 'store'>, model: string): Promise<void> {
  requireReady(await modelUploads(db, store).find(model), `model '${model}'`, 'model_not_found');
}
