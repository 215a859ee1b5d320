import { readFileSync } from 'node:fs';
import { LUA_REGISTRYINDEX, LuaGlobal, LuaReturn, LuaType, type LuaWasm } from 'wasmoon';
import { createByteBridge, luaExports, type ByteBridge } from './raw-bytes.js';
import { openSandboxLibraries } from './sandbox.js';
import type { ParserScript } from './types.js';

const PRELUDE = readFileSync(new URL('./sandbox-prelude.lua', import.meta.url));
/** The count hook checks the clock every this many VM instructions. */
const HOOK_INSTRUCTIONS = 1000;
const LUA_MASKCOUNT = 8;
const MiB = 1024 * 1024;

/** The script failed or overspent; `message` is the Lua error (with its line) or the budget. */
export class ScriptFailure extends Error {}

export interface SessionLimits {
  /** Wall-clock time the script may spend running, summed over all its calls. */
  timeoutMs: number;
  memoryBytes: number;
}

/**
 * One parser run in its own fresh Lua state, so a script never sees (or poisons) another
 * run's globals. Synchronous: the caller decides where it runs and when it yields.
 * Calls go through lua_pcallk on the state itself, not wasmoon's doString/run (issue #109).
 */
export class ParserSession {
  private readonly global: LuaGlobal;
  private readonly L: number;
  private readonly bridge: ByteBridge;
  private readonly hook: number;
  private readonly api: ReturnType<typeof luaExports>;
  /** Registry references of the prelude's parse and finish callers. */
  private parseRef = 0n;
  private finishRef = 0n;
  private spentMs = 0;
  private deadline = Infinity;
  private timedOut = false;
  private closed = false;

  constructor(
    private readonly lua: LuaWasm,
    parser: ParserScript,
    private readonly limits: SessionLimits,
  ) {
    this.global = new LuaGlobal(lua, true);
    this.L = this.global.address;
    this.bridge = createByteBridge(lua);
    this.api = luaExports(lua);
    this.hook = lua.module.addFunction(() => this.onHook(), 'vii');
    try {
      openSandboxLibraries(lua, this.L);
      // The prelude takes the full os table (then dropped) and returns the two callers.
      this.loadChunk(PRELUDE, '=webml-sandbox');
      lua.luaopen_os(this.L);
      this.protectedCall(1, 2);
      this.finishRef = BigInt(lua.luaL_ref(this.L, LUA_REGISTRYINDEX));
      this.parseRef = BigInt(lua.luaL_ref(this.L, LUA_REGISTRYINDEX));
      lua.lua_sethook(this.L, this.hook, LUA_MASKCOUNT, HOOK_INSTRUCTIONS);
      this.global.setMemoryMax(limits.memoryBytes);
      // The script's top level runs once, under the same budgets as its calls.
      this.loadChunk(new TextEncoder().encode(parser.source), parser.id);
      this.protectedCall(0, 0);
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /**
   * Calls the script's `parse(chunk, #chunk)` (or `finish()` without a chunk) and hands its
   * encoded records to `take` as views on the wasm heap, valid only during `take`.
   */
  call(chunk: Uint8Array | null, take: (bytes: Uint8Array, meta: Uint8Array) => void): void {
    const { api, L } = this;
    if (this.closed) throw new Error('parser session is closed');
    // Arguments are pushed outside any protected call, where a failed allocation would abort
    // the whole wasm module: lift the cap meanwhile (it is exceeded by one chunk at most).
    this.global.setMemoryMax(undefined);
    api._lua_rawgeti(L, LUA_REGISTRYINDEX, chunk ? this.parseRef : this.finishRef);
    if (chunk) {
      this.bridge.push(L, chunk);
      api._lua_pushinteger(L, BigInt(chunk.length));
    }
    this.global.setMemoryMax(this.limits.memoryBytes);
    this.protectedCall(chunk ? 2 : 0, 2);
    take(this.bridge.view(L, -2), this.bridge.view(L, -1));
    api._lua_settop(L, 0);
  }

  /** Frees the Lua state; safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.global.close();
    this.bridge.free();
    this.lua.module.removeFunction(this.hook);
  }

  private loadChunk(source: Uint8Array, chunkName: string): void {
    const m = this.lua.module;
    const pointer = m._malloc(source.length || 1);
    try {
      m.HEAPU8.set(source, pointer);
      const status = this.lua.luaL_loadbufferx(this.L, pointer, source.length, chunkName, 't');
      if (status !== LuaReturn.Ok) throw this.failure(status);
    } finally {
      m._free(pointer);
    }
  }

  private protectedCall(argCount: number, resultCount: number): void {
    const started = Date.now();
    this.deadline = started + this.limits.timeoutMs - this.spentMs;
    this.timedOut = false;
    const status = this.api._lua_pcallk(this.L, argCount, resultCount, 0, 0, 0);
    this.spentMs += Date.now() - started;
    // A script may catch the hook's error with pcall and carry on: the clock decides.
    if (this.timedOut || this.spentMs > this.limits.timeoutMs) {
      this.lua.lua_settop(this.L, 0);
      throw new ScriptFailure(`exceeded its time budget of ${this.limits.timeoutMs} ms`);
    }
    if (status !== LuaReturn.Ok) throw this.failure(status);
  }

  /** Runs every HOOK_INSTRUCTIONS instructions; past the deadline it raises a Lua error. */
  private onHook(): void {
    if (Date.now() <= this.deadline) return;
    this.timedOut = true;
    this.lua.lua_pushstring(this.L, 'time budget exceeded');
    this.lua.lua_error(this.L);
  }

  /** Turns the error object on top of the stack into a ScriptFailure and clears the stack. */
  private failure(status: LuaReturn): ScriptFailure {
    const { lua, L } = this;
    const type = lua.lua_type(L, -1);
    const message =
      type === LuaType.String || type === LuaType.Number
        ? new TextDecoder().decode(this.bridge.view(L, -1))
        : `error object is a ${lua.lua_typename(L, type)} value`;
    lua.lua_settop(L, 0);
    if (status === LuaReturn.ErrorMem || message === 'not enough memory') {
      return new ScriptFailure(`exceeded its memory cap of ${this.limits.memoryBytes / MiB} MiB`);
    }
    return new ScriptFailure(message);
  }
}
