import { randomUUID } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Config } from '../config.js';
import type { ByteRange } from './byte-range.js';
import { etagOf, fsCall, isMissing, statFile, storeError, walkFiles, writeAllAtomically } from './embedded-files.js';
import { assertSafeKey } from './object-key.js';
import type { ObjectInfo, ObjectStore } from './object-store.js';
import { loadSigningSecret, signBlobUrl, verifyBlobSignature, type SignatureCheck, type SignedMethod } from './url-signing.js';

/** An object opened for reading: its metadata and bytes come from the same file, even if it is replaced meanwhile. */
export interface OpenedObject {
  info: ObjectInfo;
  /** Streams the object (or `range` of it) and closes the file when done; call once. */
  stream(range?: ByteRange): Readable;
  /** Closes the file without streaming (HEAD, 416). */
  close(): Promise<void>;
}

/** The filesystem store, plus what the `/blobs/*` route needs to serve its signed URLs. */
export interface EmbeddedStore extends ObjectStore {
  readonly kind: 'embedded';
  open(key: string): Promise<OpenedObject | null>;
  /** Checks a blob URL's query against the method and key it is used for. */
  verify(method: SignedMethod, key: string, query: { expires?: string; signature?: string }): SignatureCheck;
}

/** True when `store` is the embedded store (the only one the app serves bytes for). */
export function isEmbeddedStore(store: ObjectStore): store is EmbeddedStore {
  return store.kind === 'embedded';
}

// Embedded objects carry no type of their own; the metadata index keeps what the client sent.
const infoOf = (stats: BigIntStats): ObjectInfo => ({
  size: Number(stats.size),
  etag: etagOf(stats),
  lastModified: stats.mtime,
  contentType: 'application/octet-stream',
});

/** Objects as files under DATA_DIR/objects, written atomically; URLs signed with a secret kept in DATA_DIR. */
export function createEmbeddedStore(config: Config): EmbeddedStore {
  const root = path.resolve(config.DATA_DIR, 'objects');
  // Dot-led, so no valid key reaches it; inside root, so renames never cross filesystems.
  const incoming = path.join(root, '.incoming');
  let secret: Buffer | null = null;

  const fileOf = (key: string) => {
    assertSafeKey(key);
    return path.join(root, ...key.split('/'));
  };
  const tempFile = () => path.join(incoming, randomUUID());
  const signingSecret = () => {
    if (!secret) throw new Error('Embedded store used before init().');
    return secret;
  };

  async function stat(key: string): Promise<ObjectInfo | null> {
    const stats = await statFile(fileOf(key));
    return stats && infoOf(stats);
  }

  async function open(key: string): Promise<OpenedObject | null> {
    let handle;
    try {
      handle = await fs.open(fileOf(key), 'r');
    } catch (err) {
      if (isMissing(err)) return null;
      throw storeError('opening', err);
    }
    const stats = await handle.stat({ bigint: true }).catch(async (err) => {
      await handle.close();
      throw storeError('stat', err);
    });
    if (!stats.isFile()) {
      await handle.close();
      return null;
    }
    const opened = handle;
    return {
      info: infoOf(stats),
      stream: (range) => opened.createReadStream(range ?? {}),
      close: () => opened.close(),
    };
  }

  return {
    kind: 'embedded',
    lateUploadGraceMs: 0,

    async init() {
      // Temp files left by a crash are half objects nobody can reach: drop them.
      await fsCall('clearing temp files', () => fs.rm(incoming, { recursive: true, force: true }));
      await fsCall('creating the objects folder', () => fs.mkdir(incoming, { recursive: true }));
      secret = await fsCall('loading the URL-signing secret', async () => loadSigningSecret(config.DATA_DIR));
    },

    async presignGet(key, expirySeconds) {
      assertSafeKey(key);
      return signBlobUrl(signingSecret(), config.PUBLIC_URL, 'GET', key, expirySeconds);
    },

    async presignPut(key, expirySeconds) {
      assertSafeKey(key);
      return signBlobUrl(signingSecret(), config.PUBLIC_URL, 'PUT', key, expirySeconds);
    },

    verify(method, key, query) {
      return verifyBlobSignature(signingSecret(), method, key, query);
    },

    stat,
    open,

    async read(key, range) {
      const opened = await open(key);
      return opened && opened.stream(range);
    },

    async write(key, body) {
      await writeAllAtomically([{ temp: tempFile(), target: fileOf(key), body }]);
      const info = await stat(key);
      if (!info) throw storeError('writing', new Error(`${key} vanished right after being written`));
      return info;
    },

    async writeAll(objects) {
      const files = objects.map(({ key, body }) => ({ temp: tempFile(), target: fileOf(key), body }));
      return writeAllAtomically(files);
    },

    async remove(keysToRemove) {
      const files = keysToRemove.map(fileOf);
      await Promise.all(files.map((file) => fsCall('removing', () => fs.rm(file, { force: true }))));
    },

    async *list(prefix) {
      // Walk only the deepest folder the prefix names, then filter by the rest of it.
      const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
      const start = folder === '' ? root : fileOf(folder);
      for await (const key of walkFiles(root, start)) if (key.startsWith(prefix)) yield key;
    },
  };
}
