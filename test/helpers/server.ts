import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../../app/app.js';
import { loadConfig, type Config } from '../../app/config.js';
import { openDeps, type OpenedDeps } from '../../app/deps.js';
import { createNodeServer } from '../../app/server.js';
import { startS3rver } from './s3rver.js';

export interface TestServer {
  /** Base URL, e.g. http://127.0.0.1:43121 */
  url: string;
  /** The Node server, as app/main.ts creates it. */
  http: Server;
  config: Config;
  deps: OpenedDeps;
  dataDir: string;
  /** Stops the server (and s3rver), keeping the data dir unless `remove` is set. */
  close(opts?: { remove?: boolean }): Promise<void>;
}

export interface TestServerOptions {
  storage?: 'embedded' | 'minio';
  /** Reuse a data dir (restart tests); a fresh temp dir otherwise. */
  dataDir?: string;
  env?: Record<string, string>;
}

/** Starts the real app on an ephemeral port over a temp data dir (and s3rver for 'minio'). */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'webml-test-'));
  const s3 = options.storage === 'minio' ? await startS3rver(path.join(dataDir, 's3rver')) : null;
  let app: ReturnType<typeof createApp> | null = null;
  // The same server wiring as app/main.ts (Expect: 100-continue handling included).
  const server = createNodeServer({ fetch: (req, env) => app!.fetch(req, env), hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    DATA_DIR: dataDir,
    PUBLIC_URL: url,
    PORT: String(port),
    STORAGE: options.storage ?? 'embedded',
    // One JSON line per request would drown the test output.
    LOG_LEVEL: 'silent',
    ...(s3 ? { MINIO_ENDPOINT: '127.0.0.1', MINIO_PORT: String(s3.port), MINIO_ACCESS_KEY: 'S3RVER', MINIO_SECRET_KEY: 'S3RVER' } : {}),
    ...options.env,
  });
  const deps = await openDeps(config);
  app = createApp(deps);
  return {
    url,
    http: server,
    config,
    deps,
    dataDir,
    async close({ remove = false } = {}) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Kept-alive sockets would hold close() open until they time out.
      server.closeAllConnections();
      await closed;
      await deps.close();
      await s3?.close();
      if (remove) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
