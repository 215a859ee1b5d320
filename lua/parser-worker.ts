import { parentPort } from 'node:worker_threads';
import { LuaFactory } from 'wasmoon';
import { ParserSession, ScriptFailure } from './parser-session.js';
import { RecordsBuilder } from './records.js';
import type { WorkerReply, WorkerRequest } from './worker-protocol.js';

/**
 * A parser worker thread: one wasm Lua module, one parser run at a time. Messages that
 * arrive while the module loads wait in the port's queue.
 */
const lua = await new LuaFactory().getLuaModule();
let session: ParserSession | null = null;
/** After a failure, the run's remaining parse/finish requests get the same answer. */
let failure: WorkerReply | null = null;

parentPort!.postMessage({ type: 'booted' } satisfies WorkerReply);
parentPort!.on('message', (request: WorkerRequest) => {
  const reply = handle(request);
  const transfer = reply.type === 'records' ? [reply.bytes.buffer as ArrayBuffer, reply.runs.buffer as ArrayBuffer] : [];
  parentPort!.postMessage(reply, transfer);
});

function opened(): ParserSession {
  if (!session) throw new Error('no parser is open');
  return session;
}

function handle(request: WorkerRequest): WorkerReply {
  try {
    switch (request.type) {
      case 'open':
        session?.close();
        failure = null;
        session = new ParserSession(lua, request.parser, request.limits);
        return { type: 'opened' };
      case 'parse': {
        if (failure) return failure;
        const { bytes, chunkBytes } = request;
        // Records usually take about as many bytes as their input.
        const records = new RecordsBuilder(bytes.length + 1024);
        const take = records.append.bind(records);
        for (let at = 0; at < bytes.length; at += chunkBytes) opened().call(bytes.subarray(at, at + chunkBytes), take);
        return { type: 'records', ...records.finish() };
      }
      case 'finish': {
        if (failure) return failure;
        const records = new RecordsBuilder(1024);
        opened().call(null, records.append.bind(records));
        return { type: 'records', ...records.finish() };
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
