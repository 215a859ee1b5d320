import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Config } from '../app/config.js';
import { createEnginePool } from './engine-pool.js';
import { ParserSession } from './parser-session.js';
import { decodeRecords } from './records.js';
import { rechunk } from './rechunk.js';
import { ParserError, type ParsedRecord, type ParserRunner, type ParserScript } from './types.js';

const MiB = 1024 * 1024;

/** The parser runner the server uses, with the budgets and chunk size of `config`. */
export function createLuaRunner(config: Pick<Config, 'LUA_TIMEOUT_MS' | 'LUA_MEMORY_MB' | 'PARSER_CHUNK_BYTES'>): ParserRunner {
  const pool = createEnginePool();
  const limits = { timeoutMs: config.LUA_TIMEOUT_MS, memoryBytes: config.LUA_MEMORY_MB * MiB };

  async function* run(parser: ParserScript, input: AsyncIterable<Uint8Array>): AsyncGenerator<ParsedRecord[]> {
    const lease = await pool.acquire();
    let session: ParserSession | null = null;
    let broken = false;
    /** Runs `step`, turning a crash of the wasm module itself into a ParserError too. */
    const guard = <T>(step: () => T): T => {
      try {
        return step();
      } catch (error) {
        if (error instanceof ParserError) throw error;
        broken = true;
        throw new ParserError(parser.id, `crashed the Lua engine: ${(error as Error).message}`);
      }
    };
    try {
      session = guard(() => new ParserSession(lease.lua, parser, limits));
      for await (const chunk of rechunk(input, config.PARSER_CHUNK_BYTES)) {
        const records = guard(() => session!.call('parse', chunk));
        if (records.meta.length > 0) yield decodeRecords(records);
        // Let the server answer other requests between chunks.
        await nextTurn();
      }
      const rest = guard(() => session!.call('finish'));
      if (rest.meta.length > 0) yield decodeRecords(rest);
    } finally {
      session?.close();
      lease.release(broken);
    }
  }

  return {
    run,
    async close() {},
  };
}
