import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { LuaFactory } from 'wasmoon';
import { ParserSession } from '../lua/parser-session.js';
import { createLuaRunner } from '../lua/runner.js';
import { ParserError } from '../lua/types.js';
import { unpackRecords, type UnpackedRecord } from './helpers/records.js';

const BUDGET_MS = 400;
const runner = createLuaRunner({ LUA_TIMEOUT_MS: BUDGET_MS, LUA_MEMORY_MB: 32, PARSER_CHUNK_BYTES: 4096 });
// Memory bombs get time enough to reach the cap even on a busy machine.
const roomyRunner = createLuaRunner({ LUA_TIMEOUT_MS: 20_000, LUA_MEMORY_MB: 32, PARSER_CHUNK_BYTES: 4096 });
afterAll(() => Promise.all([runner.close(), roomyRunner.close()]));

async function* bytes(n = 10): AsyncGenerator<Uint8Array> {
  yield new Uint8Array(n);
}

async function run(source: string, id = 'p', using = runner): Promise<UnpackedRecord[]> {
  const records: UnpackedRecord[] = [];
  for await (const block of using.run({ id, source }, bytes())) records.push(...unpackRecords(block));
  return records;
}

const text = (records: UnpackedRecord[]) => records.map((r) => new TextDecoder().decode(r.bytes));
const healthy = 'function parse(c, n) return { "ok" .. n } end';

/** The error a parser fails with, after checking the very next run still works. */
async function failure(source: string, id = 'bad', using = runner): Promise<ParserError> {
  const error = await run(source, id, using).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ParserError);
  expect(text(await run(healthy, 'p', using))).toEqual(['ok10']);
  return error as ParserError;
}

describe('Lua sandbox', () => {
  it.each([
    ['os.exit', 'os.exit(1)', /attempt to call a nil value \(field 'exit'\)/],
    ['io.open', 'io.open("/etc/passwd")', /attempt to index a nil value \(global 'io'\)/],
    ['require', 'require("os")', /attempt to call a nil value \(global 'require'\)/],
    ['dofile', 'dofile("/etc/passwd")', /attempt to call a nil value \(global 'dofile'\)/],
    ['loadfile', 'loadfile("/etc/passwd")', /attempt to call a nil value \(global 'loadfile'\)/],
    ['debug.sethook', 'debug.sethook()', /attempt to index a nil value \(global 'debug'\)/],
    ['package.loadlib', 'package.loadlib("x", "y")', /attempt to index a nil value \(global 'package'\)/],
    ['load of bytecode', 'assert(load(string.dump(function() return 1 end)))', /attempt to load a binary chunk \(mode is 't'\)/],
    ['load of bytecode asking for mode b', 'assert(load(string.dump(function() end), "x", "b"))', /attempt to load a binary chunk/],
  ])('refuses %s with a ParserError naming the parser and line, and the next run works', async (_, call, message) => {
    const error = await failure(`\nfunction parse(chunk, n)\n  ${call}\nend`, 'sneaky');
    expect(error.message).toMatch(/^Parser 'sneaky' failed: \[string "sneaky"\]:3: /);
    expect(error.message).toMatch(message);
  });

  it('keeps string, table, math, utf8, text load, os.time and os.clock', async () => {
    const records = await run(`
      function parse(c, n)
        local f = assert(load("return ...", "inline", "t"))
        return {
          string.format("%s|%d|%.1f|%s|%d", table.concat({ "a", "b" }), math.max(1, 7), f(2.5),
            utf8.char(228), #utf8.char(228)),
          type(os.time()) .. type(os.clock()) .. tostring(os.getenv) .. tostring(coroutine),
        }
      end`);
    expect(text(records)).toEqual(['ab|7|2.5|ä|2', 'numbernumbernilnil']);
  });

  it('gives each run fresh globals: a run cannot poison the next', async () => {
    await run('string.rep = nil; leaked = "yes"; function parse() return {} end');
    expect(text(await run('function parse() return { tostring(leaked) .. string.rep("!", 2) } end'))).toEqual(['nil!!']);
  });

  it('reports syntax errors with their line', async () => {
    const error = await failure('function parse(c, n)\n  return {\nend', 'broken');
    expect(error.message).toMatch(/^Parser 'broken' failed: \[string "broken"\]:3: unexpected symbol near 'end'/);
  });

  it('reports a missing parse function and a bad return value', async () => {
    expect((await failure('x = 1')).message).toMatch(/define a global function parse/);
    expect((await failure('function parse() return 42 end')).message).toMatch(/parse must return an array of records/);
    expect((await failure('function parse() return { true } end')).message).toMatch(/record 1 returned by parse is a boolean/);
    expect((await failure('function parse() return { { 1, "x" } } end')).message).toMatch(/record 1 .* has a string at position 2/);
    expect((await failure('function parse() return {} end function finish() error({}) end')).message).toMatch(/error object is a table value/);
  });

  describe('time budget', () => {
    it.each([
      ['a busy loop', 'function parse() while true do end end'],
      ['a loop that swallows the budget error with pcall', 'function parse() while true do pcall(function() while true do end end) end end'],
      ['one long C call (backtracking pattern)', 'function parse() string.find(string.rep("a", 20000), ".-.-.-.-b") end'],
      ['a loop at the top level of the script', 'while true do end function parse() end'],
    ])('stops %s within its budget while the event loop keeps running', async (_, source) => {
      const loopBefore = performance.eventLoopUtilization();
      const started = Date.now();
      const error = (await run(source, 'looping').catch((e: unknown) => e)) as Error;
      const elapsed = Date.now() - started;
      const loop = performance.eventLoopUtilization(loopBefore);
      expect(error).toBeInstanceOf(ParserError);
      expect(error.message).toBe(`Parser 'looping' failed: exceeded its time budget of ${BUDGET_MS} ms`);
      // The hook stops it at the budget; the watchdog kills a worker that ignores it one second later.
      expect(elapsed).toBeGreaterThanOrEqual(BUDGET_MS);
      expect(elapsed).toBeLessThan(BUDGET_MS + 1000 + 3000);
      // Had the loop run on the server's thread, its event loop would have been busy throughout.
      expect(loop.utilization).toBeLessThan(0.5);
      expect(text(await run(healthy))).toEqual(['ok10']);
    });

    it('counts only time spent in Lua, not time waiting for input', async () => {
      async function* slow(): AsyncGenerator<Uint8Array> {
        for (let i = 0; i < 3; i++) {
          await new Promise((r) => setTimeout(r, BUDGET_MS / 2));
          yield new Uint8Array(1);
        }
      }
      const records: UnpackedRecord[] = [];
      for await (const block of runner.run({ id: 'slow-input', source: healthy }, slow())) records.push(...unpackRecords(block));
      // 600 ms of waiting against a 400 ms budget; the three bytes make one chunk.
      expect(text(records)).toEqual(['ok3']);
    });
  });

  describe('memory cap', () => {
    it.each([
      ['a growing table of strings', 'local t = {} while true do t[#t + 1] = string.rep("x", 1e6) .. #t end'],
      ['one huge string', 'local s = string.rep("x", 2^30)'],
      ['doubling concatenation', 'local s = "x" while true do s = s .. s end'],
    ])('stops %s at the cap', async (_, body) => {
      const error = await failure(`function parse() ${body} end`, 'bad', roomyRunner);
      expect(error.message).toBe("Parser 'bad' failed: exceeded its memory cap of 32 MiB");
    });
  });

  it('fails a run in progress with a ParserError when the runner closes', async () => {
    const closing = createLuaRunner({ LUA_TIMEOUT_MS: 20_000, LUA_MEMORY_MB: 32, PARSER_CHUNK_BYTES: 4096 });
    const looping = (async () => {
      for await (const _ of closing.run({ id: 'endless', source: 'function parse() while true do end end' }, bytes()));
    })().catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 300));
    await closing.close();
    expect(await looping).toEqual(new ParserError('endless', 'the parser runner was closed'));
  });

  it('survives 250 runs in a row (wasmoon #109 corrupted memory after ~60 doString calls)', async () => {
    for (let i = 0; i < 250; i++) {
      const source = `n = ${i} function parse(c) return { string.rep("y", 1000) .. n } end`;
      const records = await run(source);
      expect(text(records)[0]).toBe('y'.repeat(1000) + i);
    }
  });

  it('frees every run: 300 sessions on one wasm module leave its heap where it was', async () => {
    const lua = await new LuaFactory().getLuaModule();
    const limits = { timeoutMs: 5000, memoryBytes: 32 * 1024 * 1024 };
    const chunk = new Uint8Array(64 * 1024).map((_, i) => i);
    const session = (i: number) => {
      const s = new ParserSession(lua, { id: `run${i}`, source: 'acc = {} function parse(c, n) acc[#acc+1] = c .. n return { c } end' }, limits);
      for (let k = 0; k < 8; k++) s.call(chunk, (bytes) => expect(Buffer.compare(bytes, chunk)).toBe(0));
      s.close();
    };
    for (let i = 0; i < 20; i++) session(i);
    const heapAfterWarmUp = lua.module.HEAPU8.length;
    for (let i = 20; i < 300; i++) session(i);
    expect(lua.module.HEAPU8.length).toBe(heapAfterWarmUp);
  });
});
