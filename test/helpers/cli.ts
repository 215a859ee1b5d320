import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

const bin = new URL('../../bin/webml.js', import.meta.url).pathname;

export interface CliRun {
  child: ChildProcessWithoutNullStreams;
  /** Resolves when the process exits, with its exit code and whole output. */
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Starts the real `webml` binary without blocking this process (the test server lives here). */
export function startWebml(args: string[], env: Record<string, string> = {}): CliRun {
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, WEBML_URL: '', WEBML_TOKEN: '', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c));
  child.stderr.on('data', (c: Buffer) => (stderr += c));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done };
}

/** Runs `webml` to completion. */
export const webml = (args: string[], env: Record<string, string> = {}) => startWebml(args, env).done;

export const webmlBin = bin;
