import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { openDeps } from './deps.js';
import { createLogger } from './request-log.js';
import { createNodeServer } from './server.js';

function readConfig() {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

const config = readConfig();
const logger = createLogger(config.LOG_LEVEL);
const deps = await openDeps(config);
const server = createNodeServer({
  fetch: createApp(deps).fetch,
  hostname: config.HOST,
  // Room for the app's own caps to answer with a JSON 431/414 before Node's parser cuts in.
  maxHeaderSize: config.MAX_HEADER_BYTES + config.MAX_URL_BYTES + 1024,
});
server.listen(config.PORT, config.HOST, () => {
  const { address, port } = server.address() as AddressInfo;
  logger.info('listening', { url: `http://${address}:${port}`, storage: config.STORAGE, dataDir: config.DATA_DIR });
});

/** Resolves once every connection has ended, closing keep-alive ones as soon as they go idle. */
function stopServing(): Promise<void> {
  return new Promise((resolve) => {
    // close() drops idle connections once; ones mid-request go idle later and would linger.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    const force = setTimeout(() => {
      logger.warn('shutdown timeout: closing open connections', { timeoutMs: config.SHUTDOWN_TIMEOUT_MS });
      server.closeAllConnections();
    }, config.SHUTDOWN_TIMEOUT_MS);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(force);
      resolve();
    });
  });
}

let stopping = false;
/** Stops accepting, lets in-flight requests finish, flushes pending commits, closes the database. */
async function shutdown(signal: string) {
  if (stopping) {
    logger.warn('second signal: exiting without waiting', { signal });
    process.exit(1);
  }
  stopping = true;
  logger.info('shutting down', { signal });
  try {
    await stopServing();
    await deps.close();
  } catch (err) {
    logger.error('shutdown failed', { error: (err as Error).message });
    process.exit(1);
  }
  logger.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
