import { Command } from 'commander';
import { CliError, cliContext, positiveInt } from '../context.js';
import { whileWaiting } from '../progress.js';

/** `webml batch`: cut an uploaded dataset into batches. */
export function batchCommand(): Command {
  return new Command('batch')
    .description("parse a dataset and its labels on the server and cut them into batches")
    .requiredOption('--model <id>', 'model the dataset belongs to')
    .requiredOption('--dataset <id>', 'id of the dataset (and of its labels)')
    .option('--batch-size <n>', 'records per batch', positiveInt, 100)
    .option('--parser <id>', 'parser of the data (default: the one it was uploaded with)')
    .option('--label-parser <id>', 'parser of the labels (default: the one they were uploaded with)')
    .action(async (opts: { model: string; dataset: string; batchSize: number; parser?: string; labelParser?: string }, cmd: Command) => {
      const { client } = cliContext(cmd);
      // A GET first: its 404 names what is missing (a HEAD's cannot carry a message).
      if (!(await client.data.list(opts.model)).includes(opts.dataset)) {
        throw new CliError(`model '${opts.model}' has no dataset '${opts.dataset}'; upload one with 'webml push data'`);
      }
      const [dataParser, labelParser] = await Promise.all([
        opts.parser ?? client.data.head(opts.model, opts.dataset).then((m) => m.parser!),
        opts.labelParser ?? client.labels.head(opts.model, opts.dataset).then((m) => m.parser!),
      ]);
      const result = await whileWaiting('batching', client.batches.create(opts.model, opts.dataset, { dataParser, labelParser, batchSize: opts.batchSize }));
      console.log(`${result.batches} batches of up to ${opts.batchSize} records (${result.records} records)`);
    });
}
