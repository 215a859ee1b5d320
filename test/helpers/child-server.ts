import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const appFixture = fileURLToPath(new URL('../fixtures/session-server.ts', import.meta.url));

export interface ChildServer {
  url: string;
  child: ChildProcess;
  /** Sends `signal` and resolves once the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Runs a TypeScript server script in a child process and resolves once it prints `listening <port>`. */
export function spawnServer(script: string, env: Record<string, string> = {}): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\d+)/.exec(out);
      if (match) resolve({ url: `http://127.0.0.1:${match[1]}`, child, stop });
    });
    child.once('exit', (code, signal) => reject(new Error(`${script} exited (${code ?? signal}) before listening: ${out}`)));
  });
}

/** Starts the real app in a child process (test/fixtures/session-server.ts) on `dataDir`. */
export const startChildServer = (dataDir: string, env: Record<string, string> = {}) =>
  spawnServer(appFixture, { DATA_DIR: dataDir, ...env });
