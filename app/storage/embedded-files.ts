import type { BigIntStats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { BackendError } from '../errors.js';

/** A filesystem failure as a store error (a 500 whose message stays in the log). */
export function storeError(what: string, err: unknown): BackendError {
  return new BackendError('store', `Embedded store: ${what} failed: ${(err as Error).message}`, { cause: err });
}

/** Runs a filesystem call, turning its failure into a store error. */
export async function fsCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw storeError(what, err);
  }
}

/** True for the errors that mean "no such object" rather than "the disk failed". */
export function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** One file for writeAllAtomically: `body` goes to `temp` first, then is renamed over `target`. */
export interface AtomicFile {
  temp: string;
  target: string;
  body: Readable | Uint8Array;
}

/**
 * Copies each body into its temp file, fsyncs it, renames it over its target and fsyncs
 * the folders whose entries changed, so after a crash every target is its old file or the
 * whole new one, and all are durable once this resolves (to the files' ETags, in order).
 * Each step runs for all files side by side: a folder is made and synced once however many
 * files land in it, and the filesystem folds concurrent file syncs into shared journal commits. Errors of a body (a
 * client hanging up) pass through unchanged; disk errors become store errors. No temp file
 * outlives a failure; targets renamed before it stay (the caller removes what it wrote).
 */
export async function writeAllAtomically(files: AtomicFile[]): Promise<string[]> {
  const folders = [...new Set(files.map((f) => path.dirname(f.target)))];
  const foldersToSync = new Set((await Promise.all(folders.map(makeFolder))).flat());
  let etags: string[];
  try {
    etags = await allSettledOrThrow(files.map((f) => writeSynced(f.temp, f.body)));
    await allSettledOrThrow(files.map((f) => fsCall('renaming', () => fs.rename(f.temp, f.target))));
  } catch (err) {
    await Promise.all(files.map((f) => fs.rm(f.temp, { force: true })));
    throw err;
  }
  await Promise.all([...foldersToSync].map((d) => fsCall('fsync of a folder', () => fsyncFolder(d))));
  return etags;
}

/** Creates `dir` (and missing parents); returns the folders whose entries changed for a file landing in it. */
async function makeFolder(dir: string): Promise<string[]> {
  const firstCreated = await fsCall('creating folders', () => fs.mkdir(dir, { recursive: true }));
  // New folders are entries of their parents: sync from the first new one's parent down.
  return firstCreated ? foldersBetween(path.dirname(firstCreated), dir) : [dir];
}

/** Writes and syncs one temp file; resolves to its ETag (the rename keeps inode, size and mtime). */
async function writeSynced(temp: string, body: Readable | Uint8Array): Promise<string> {
  const handle = await fsCall('creating a temp file', () => fs.open(temp, 'wx', 0o644));
  let etag: string;
  try {
    if (body instanceof Uint8Array) {
      await fsCall('writing', () => handle.writeFile(body));
    } else {
      for await (const chunk of body) await fsCall('writing', () => handle.write(chunk));
    }
    await fsCall('fsync', () => handle.sync());
    etag = etagOf(await fsCall('stat', () => handle.stat({ bigint: true })));
  } catch (err) {
    await handle.close().catch(() => {});
    throw err;
  }
  await fsCall('closing', () => handle.close());
  return etag;
}

/** Waits for every task (so none still runs during cleanup), then throws the first failure or returns their results. */
async function allSettledOrThrow<T>(tasks: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(tasks);
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** `from` and each folder below it down to `to` (both included). */
function foldersBetween(from: string, to: string): string[] {
  const folders = [to];
  for (let d = to; d !== from && d.startsWith(from); d = path.dirname(d)) folders.push(path.dirname(d));
  return folders;
}

async function fsyncFolder(dir: string) {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Metadata of a regular file, or null when it is missing or not a file. */
export async function statFile(file: string): Promise<BigIntStats | null> {
  try {
    const stats = await fs.stat(file, { bigint: true });
    return stats.isFile() ? stats : null;
  } catch (err) {
    if (isMissing(err)) return null;
    throw storeError('stat', err);
  }
}

/**
 * ETag from inode, size and nanosecond mtime: computable by a stat alone (no hashing of
 * large objects, no sidecar file), and every write makes a new inode by renaming a new
 * file into place, so a replaced object never keeps its old ETag.
 */
export function etagOf(stats: BigIntStats): string {
  return `"${stats.ino.toString(16)}-${stats.size.toString(16)}-${stats.mtimeNs.toString(16)}"`;
}

/** Every file under `dir` as a path relative to `root`, skipping dot-led names (temp files). */
export async function* walkFiles(root: string, dir: string): AsyncGenerator<string> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (isMissing(err)) return;
    throw storeError('listing', err);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walkFiles(root, full);
    else if (entry.isFile()) yield path.relative(root, full).split(path.sep).join('/');
  }
}
