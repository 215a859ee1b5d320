import { InvalidArgumentError, type Command } from 'commander';
import { createClient, type WebMLClient } from '../client.js';
import { WebMLError } from '../errors.js';

export const DEFAULT_SERVER = 'http://localhost:8080';

/** What every command needs: where the server is, and a client for it. */
export interface CliContext {
  server: string;
  token?: string;
  client: WebMLClient;
}

/** Builds the context from the global options (--server, --token) and the environment. */
export function cliContext(command: Command): CliContext {
  const { server, token } = command.optsWithGlobals<{ server?: string; token?: string }>();
  const url = (server ?? process.env.WEBML_URL ?? DEFAULT_SERVER).replace(/\/+$/, '');
  const bearer = token ?? process.env.WEBML_TOKEN;
  return { server: url, token: bearer, client: createClient({ server: url, token: bearer }) };
}

/** A failure the CLI already phrased for a person. */
export class CliError extends Error {}

/** One line a person can act on, for any error a command throws. */
export function describeError(error: unknown, server: string): string {
  if (error instanceof WebMLError) {
    if (error.status === 0) {
      const cause = error.message.split(': ').slice(1).join(': ') || 'no answer';
      return `cannot reach the WebML server at ${server} (${cause}); start it with 'npm start' or point --server / WEBML_URL at it`;
    }
    if (error.status === 401 || error.status === 403) return `${error.message} (set --token or WEBML_TOKEN)`;
    return `${error.message} (HTTP ${error.status} ${error.code})`;
  }
  const code = (error as NodeJS.ErrnoException)?.code;
  const file = (error as NodeJS.ErrnoException)?.path;
  if (code === 'ENOENT' && file) return `file not found: ${file}`;
  if (code === 'EISDIR' && file) return `expected a file but found a folder: ${file}`;
  if (code === 'EACCES' && file) return `permission denied reading ${file}`;
  return firstLine(error instanceof Error ? error.message : String(error));
}

function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim() !== '')?.trim() ?? 'unknown error';
}

/** Parses `--shape 28,28` or `--shape [28,28]` into positive integers. */
export function parseShapeOption(value: string): number[] {
  const dims = value.replace(/^\[|\]$/g, '').split(/[,x\s]+/).filter(Boolean).map(Number);
  if (dims.length === 0 || !dims.every((d) => Number.isInteger(d) && d > 0)) {
    throw new InvalidArgumentError('give positive integers like 28,28');
  }
  return dims;
}

/** Parses a positive integer option (`--steps 100`). */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('give a positive integer');
  return n;
}

/** Parses a number option (`--alpha 0.5`). */
export function numberOption(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('give a number');
  return n;
}
