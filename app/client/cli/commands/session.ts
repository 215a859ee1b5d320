import { Command } from 'commander';
import { cliContext, numberOption } from '../context.js';
import { loadTf } from '../tf.js';

/** `webml session create|list|show`. */
export function sessionCommand(): Command {
  const session = new Command('session').description('create, list and show training sessions');

  session
    .command('create')
    .description("create a session whose initial weights come from the model's own initializers")
    .requiredOption('--model <id>', 'model to train')
    .option('--id <id>', 'session id (generated if omitted)')
    .option('--alpha <a>', 'merge rule center = center * alpha + worker * (1 - alpha)', numberOption, 0.9)
    .action(async (opts: { model: string; id?: string; alpha: number }, cmd: Command) => {
      const { client } = cliContext(cmd);
      await loadTf();
      const { createSessionFromModel } = await import('../../worker/session-from-model.js');
      const { id } = await createSessionFromModel(client, opts.model, { id: opts.id, alpha: opts.alpha });
      console.log(id);
    });

  session
    .command('list')
    .description("list a model's sessions")
    .requiredOption('--model <id>', 'model whose sessions to list')
    .action(async (opts: { model: string }, cmd: Command) => {
      const { client } = cliContext(cmd);
      for (const id of await client.sessions.list(opts.model)) console.log(id);
    });

  session
    .command('show')
    .description("show a session: version, loss, alpha, weights shape and recent losses")
    .requiredOption('--model <id>', 'model of the session')
    .requiredOption('--session <id>', 'session to show')
    .action(async (opts: { model: string; session: string }, cmd: Command) => {
      const { client } = cliContext(cmd);
      const [weights, losses] = await Promise.all([
        client.sessions.weights(opts.model, opts.session),
        client.sessions.allLosses(opts.model, opts.session),
      ]);
      console.log(`session ${opts.session} of model ${opts.model}`);
      console.log(`  version ${weights.version}, loss ${weights.loss}, alpha ${weights.alpha}, weights [${weights.shape}]`);
      const recent = losses.slice(-5).map((p) => p.loss.toFixed(4));
      console.log(`  ${losses.length} losses posted${recent.length ? `; latest: ${recent.join(' ')}` : ''}`);
    });

  return session;
}
