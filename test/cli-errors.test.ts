import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { buildProgram } from '../app/client/cli/program.js';
import { webml, webmlBin as bin } from './helpers/cli.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/** Asserts a failure: non-zero exit, nothing on stdout, exactly one line on stderr; returns it. */
function oneLineFailure(result: { code: number | null; stdout: string; stderr: string }): string {
  expect(result.code).not.toBe(0);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  return lines[0];
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close({ remove: true }));

describe('webml errors are one actionable line with a non-zero exit', () => {
  it('server down, missing file, unknown model, unknown dataset or session, bad option', async () => {
    const down = await startTestServer();
    const downUrl = down.url;
    await down.close({ remove: true });
    const [unreachable, missing, model, batch, session, option] = await Promise.all([
      webml(['session', 'list', '--model', 'm'], { WEBML_URL: downUrl }),
      webml(['push', 'data', '/nowhere/images.idx', '/nowhere/labels.idx', '--model', 'm', '--shape', '28,28', '--parser', 'idx-images', '--label-parser', 'idx-labels', '--server', server.url]),
      webml(['session', 'create', '--model', 'ghost', '--server', server.url]),
      webml(['batch', '--model', 'ghost', '--dataset', 'd'], { WEBML_URL: server.url }),
      webml(['train', '--model', 'ghost', '--session', 's', '--server', server.url]),
      webml(['train', '--model', 'm', '--session', 's', '--steps', 'many']),
    ]);
    expect(oneLineFailure(unreachable)).toBe(
      `error: cannot reach the WebML server at ${downUrl} (connection refused); start it with 'npm start' or point --server / WEBML_URL at it`,
    );
    expect(oneLineFailure(missing)).toBe('error: file not found: /nowhere/images.idx');
    expect(oneLineFailure(model)).toBe("error: Model 'ghost' does not exist. (HTTP 404 model_not_found)");
    expect(oneLineFailure(batch)).toBe("error: Model 'ghost' does not exist. (HTTP 404 model_not_found)");
    expect(oneLineFailure(session)).toBe("error: Model 'ghost' does not exist. (HTTP 404 model_not_found)");
    expect(oneLineFailure(option)).toBe("error: option '--steps <n>' argument 'many' is invalid. give a positive integer");
  });

  it('a model file that is not a TF.js model.json is refused before any upload', async () => {
    const result = await webml(['push', 'model', bin, '--id', 'x', '--server', server.url]);
    expect(oneLineFailure(result)).toBe(`error: ${bin} is not JSON; push a TF.js model.json`);
  });
});

describe('webml --help', () => {
  /** Every command of the tree, nested ones included. */
  function allCommands(command: Command): Command[] {
    return [command, ...command.commands.flatMap(allCommands)];
  }

  it('every command has a description and documents each of its options', () => {
    const commands = allCommands(buildProgram());
    expect(commands.map((c) => c.name())).toEqual(
      expect.arrayContaining(['push', 'model', 'parser', 'data', 'batch', 'session', 'create', 'list', 'show', 'train', 'worker', 'eval', 'demo', 'mnist']),
    );
    for (const command of commands) {
      expect(command.description(), command.name()).not.toBe('');
      const help = command.helpInformation();
      expect(help).toMatch(/^Usage: /);
      for (const option of command.options) {
        expect(option.description, `${command.name()} ${option.flags}`).not.toBe('');
        expect(help).toContain(option.flags);
      }
      // The global options work after any command, so every command's help names them.
      expect(help, command.name()).toContain('--server <url>');
      expect(help, command.name()).toContain('--token <token>');
    }
  });

  it('the binary prints help and exits 0', async () => {
    const result = await webml(['train', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: webml train [options]');
    expect(result.stdout).toContain('--workers <n>');
    expect(result.stdout).toContain('--server <url>');
  });
});
