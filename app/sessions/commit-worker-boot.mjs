// Entry of the session commit thread. On Node 20 a worker does not inherit tsx's loader from
// the main thread (nor from --import in execArgv), so it registers tsx itself.
import { tsImport } from 'tsx/esm/api';

await tsImport('./commit-worker.ts', import.meta.url);
