import { Command } from 'commander';
import { fileBlob } from '../files.js';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CliError, cliContext, parseShapeOption } from '../context.js';
import { uploadWithBar } from '../progress.js';

/** `webml push model|parser|data`. */
export function pushCommand(): Command {
  const push = new Command('push').description('upload a model, a parser, or a dataset with its labels');

  push
    .command('model <file>')
    .description('upload a TF.js model.json (topology and trainingConfig; weights live in sessions)')
    .requiredOption('--id <id>', 'id of the new model')
    .option('--name <name>', 'human-readable name (default: the id)')
    .action(async (file: string, opts: { id: string; name?: string }, cmd: Command) => {
      const { client } = cliContext(cmd);
      const text = await readFile(file, 'utf8');
      checkModelJson(text, file);
      const blob = new Blob([text], { type: 'application/json' });
      const { id } = await uploadWithBar('model', blob, (body, onProgress) => client.models.upload(opts.id, body, { name: opts.name ?? opts.id, onProgress }));
      console.log(id);
    });

  push
    .command('parser <file>')
    .description('upload a Lua parser (a global parse(chunk, n) returning records)')
    .option('--id <id>', 'id of the parser (generated if omitted)')
    .option('--name <name>', 'human-readable name (default: the file name)')
    .action(async (file: string, opts: { id?: string; name?: string }, cmd: Command) => {
      const { client } = cliContext(cmd);
      const name = opts.name ?? path.basename(file);
      const { id } = await uploadWithBar('parser', await fileBlob(file), (body, onProgress) => client.parsers.upload(body, { name, id: opts.id, onProgress }));
      console.log(id);
    });

  push
    .command('data <dataFile> <labelsFile>')
    .description('upload a raw dataset and its labels under one id (e.g. IDX images and labels)')
    .requiredOption('--model <id>', 'model the data trains')
    .requiredOption('--shape <dims>', 'shape of one data record, e.g. 28,28', parseShapeOption)
    .option('--label-shape <dims>', 'shape of one label record', parseShapeOption, [1])
    .requiredOption('--parser <id>', 'parser of the data file, e.g. idx-images')
    .requiredOption('--label-parser <id>', 'parser of the labels file, e.g. idx-labels')
    .option('--id <id>', 'id shared by the data and its labels (generated if omitted)')
    .action(async (dataFile: string, labelsFile: string, opts: PushDataOptions, cmd: Command) => {
      const { client } = cliContext(cmd);
      const { id } = await uploadWithBar('data', await fileBlob(dataFile), (body, onProgress) =>
        client.data.upload(opts.model, body, { id: opts.id, shape: opts.shape, parser: opts.parser, onProgress }),
      );
      await uploadWithBar('labels', await fileBlob(labelsFile), (body, onProgress) =>
        client.labels.upload(opts.model, body, { id, shape: opts.labelShape, parser: opts.labelParser, onProgress }),
      );
      console.log(id);
    });

  return push;
}

interface PushDataOptions {
  model: string;
  shape: number[];
  labelShape: number[];
  parser: string;
  labelParser: string;
  id?: string;
}

/** Catches the common mistake (pushing the wrong JSON) before anything is uploaded. */
function checkModelJson(text: string, file: string): void {
  let json: { modelTopology?: unknown; class_name?: unknown };
  try {
    json = JSON.parse(text);
  } catch {
    throw new CliError(`${file} is not JSON; push a TF.js model.json`);
  }
  if (typeof json !== 'object' || json === null || (!json.modelTopology && !json.class_name)) {
    throw new CliError(`${file} has no modelTopology; push a TF.js model.json (see 'webml push model --help')`);
  }
}
