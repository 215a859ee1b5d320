import { DEFAULT_SERVER, describeError } from './context.js';
import { buildProgram } from './program.js';

const program = buildProgram();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  const { server } = program.opts<{ server?: string }>();
  console.error(`error: ${describeError(error, server ?? process.env.WEBML_URL ?? DEFAULT_SERVER)}`);
  process.exitCode = 1;
}
