import { Command } from 'commander';
import { batchCommand } from './commands/batch.js';
import { demoCommand } from './commands/demo.js';
import { evalCommand } from './commands/eval.js';
import { pushCommand } from './commands/push.js';
import { sessionCommand } from './commands/session.js';
import { trainCommand } from './commands/train.js';
import { workerCommand } from './commands/worker.js';
import { DEFAULT_SERVER } from './context.js';

/** The `webml` command tree (built apart from running it, so tests can read every command's help). */
export function buildProgram(): Command {
  const program = new Command('webml')
    .description('WebML command line: upload models and data, batch, run training workers, evaluate')
    .option('--server <url>', `coordinator URL (env WEBML_URL, default ${DEFAULT_SERVER})`)
    .option('--token <token>', 'bearer token for a server with WEBML_ADMIN_TOKEN / WEBML_WORKER_TOKEN (env WEBML_TOKEN)');
  for (const command of [pushCommand(), batchCommand(), sessionCommand(), trainCommand(), workerCommand(), evalCommand(), demoCommand()]) {
    program.addCommand(command);
  }
  showGlobalOptionsInHelp(program);
  return program;
}

// Every command's --help lists --server and --token too; addCommand does not pass help settings down.
function showGlobalOptionsInHelp(command: Command): void {
  command.configureHelp({ showGlobalOptions: true });
  command.commands.forEach(showGlobalOptionsInHelp);
}
