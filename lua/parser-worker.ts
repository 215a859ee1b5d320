import { parentPort } from 'node:worker_threads';
import { LuaFactory } from 'wasmoon';
import { ParserSession, ScriptFailure } from './parser-session.js';
import type { WorkerReply, WorkerRequest } from './worker-protocol.js';

/**
 * A parser worker thread: one wasm Lua module, one parser run at a time. Messages that
 * arrive while the module loads wait in the port's queue.
 */
const lua = await new LuaFactory().getLuaModule();
let session: ParserSession | null = null;
/** After a failure, the run's remaining parse/finish requests get the same answer. */
let failure: WorkerReply | null = null;

parentPort!.on('message', (request: WorkerRequest) => {
  const reply = handle(request);
  const transfer = reply.type === 'records' ? [reply.bytes.buffer as ArrayBuffer, reply.meta.buffer as ArrayBuffer] : [];
  parentPort!.postMessage(reply, transfer);
});

function handle(request: WorkerRequest): WorkerReply {
  try {
    switch (request.type) {
      case 'open':
        session?.close();
        failure = null;
        session = new ParserSession(lua, request.parser, request.limits);
        return { type: 'ready' };
      case 'parse':
      case 'finish': {
        if (failure) return failure;
        if (!session) throw new Error(`'${request.type}' before 'open'`);
        const { bytes, meta } = session.call(request.type, request.type === 'parse' ? request.chunk : undefined);
        return { type: 'records', bytes, meta };
      }
      case 'close':
        session?.close();
        session = failure = null;
        return { type: 'closed', heapBytes: lua.module.HEAPU8.length };
    }
  } catch (error) {
    const crashed = !(error instanceof ScriptFailure);
    const message = crashed ? `crashed the Lua engine: ${(error as Error).message}` : (error as Error).message;
    failure = { type: 'error', message, crashed };
    return failure;
  }
}
