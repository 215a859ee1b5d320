import { openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import { CliError } from './context.js';

/** A file as a Blob that streams from disk; a missing file or a folder fails with its path. */
export async function fileBlob(file: string): Promise<Blob> {
  // stat first: openAsBlob's own error ("Unable to open file as blob") names neither file nor cause.
  const info = await stat(file);
  if (!info.isFile()) throw new CliError(`not a file: ${file}`);
  return openAsBlob(file);
}
