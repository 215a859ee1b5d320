import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { openDeps } from './deps.js';

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
const deps = await openDeps(config);
const server = serve({ fetch: createApp(deps).fetch, port: config.PORT, hostname: config.HOST }, (info) => {
  console.log(`WebML listening on http://${info.address}:${info.port} (storage: ${config.STORAGE}, data: ${config.DATA_DIR})`);
});

async function shutdown(signal: string) {
  console.log(`${signal}: closing`);
  server.close();
  await deps.close();
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
