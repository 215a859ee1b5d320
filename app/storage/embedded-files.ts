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

/**
 * Copies `body` into `temp`, fsyncs it, renames it over `target` and fsyncs the folders
 * whose entries changed, so after a crash `target` is the old file or the whole new one.
 * Errors of the body (a client hanging up) pass through unchanged; disk errors become
 * store errors. The temp file never outlives a failure.
 */
export async function writeAtomically(temp: string, target: string, body: Readable | Uint8Array) {
  const dir = path.dirname(target);
  const firstCreated = await fsCall('creating folders', () => fs.mkdir(dir, { recursive: true }));
  const handle = await fsCall('creating a temp file', () => fs.open(temp, 'wx', 0o644));
  try {
    if (body instanceof Uint8Array) {
      await fsCall('writing', () => handle.writeFile(body));
    } else {
      for await (const chunk of body) await fsCall('writing', () => handle.write(chunk));
    }
    await fsCall('fsync', () => handle.sync());
  } catch (err) {
    await handle.close().catch(() => {});
    await fs.rm(temp, { force: true });
    throw err;
  }
  await fsCall('closing', () => handle.close());
  await fsCall('renaming', () => fs.rename(temp, target)).catch(async (err) => {
    await fs.rm(temp, { force: true });
    throw err;
  });
  // New folders are entries of their parents: sync from the first new one's parent down.
  const dirsToSync = firstCreated ? foldersBetween(path.dirname(firstCreated), dir) : [dir];
  for (const d of dirsToSync) await fsCall('fsync of a folder', () => fsyncFolder(d));
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
