import type { LuaWasm } from 'wasmoon';

/**
 * The few Lua C API functions on the per-chunk path, called as raw wasm exports: wasmoon's
 * wrappers go through ccall (slow per call) and decode every char* result as UTF-8.
 */
interface LuaExports {
  _lua_pushlstring(L: number, pointer: number, length: number): number;
  _lua_tolstring(L: number, index: number, lengthOut: number): number;
  _lua_pushinteger(L: number, n: bigint): void;
  _lua_rawgeti(L: number, index: number, n: bigint): number;
  _lua_pcallk(L: number, argCount: number, resultCount: number, errorHandler: number, ctx: number, k: number): number;
  _lua_settop(L: number, index: number): void;
}

/** The raw exports of `lua`'s module. */
export function luaExports(lua: LuaWasm): LuaExports {
  return lua.module as unknown as LuaExports;
}

/**
 * Raw bytes across the wasm boundary. wasmoon's own string conversions go through UTF-8,
 * which mangles bytes 128-255 and stops at NUL, so bytes are copied through the heap.
 * `module.HEAPU8` is re-read on every access: the view is replaced when wasm memory grows.
 */
export interface ByteBridge {
  /** Pushes `bytes` onto L's stack as one Lua string of exactly bytes.length bytes. */
  push(L: number, bytes: Uint8Array): void;
  /**
   * The bytes of the Lua string at `index`, as a view on the wasm heap: valid only until
   * Lua runs again or the heap grows, so copy it before that.
   */
  view(L: number, index: number): Uint8Array;
  /** Frees the scratch buffers. */
  free(): void;
}

/** A bridge with its own scratch buffer, grown as needed and reused between calls. */
export function createByteBridge(lua: LuaWasm): ByteBridge {
  const m = lua.module;
  const api = luaExports(lua);
  const lengthOut = m._malloc(4);
  let scratch = 0;
  let scratchSize = 0;

  return {
    push(L, bytes) {
      if (bytes.length > scratchSize) {
        if (scratch) m._free(scratch);
        scratchSize = Math.max(bytes.length, 64 * 1024);
        scratch = m._malloc(scratchSize);
        if (!scratch) throw new Error(`wasm heap cannot hold a ${bytes.length}-byte chunk`);
      }
      m.HEAPU8.set(bytes, scratch);
      api._lua_pushlstring(L, scratch, bytes.length);
    },
    view(L, index) {
      const pointer = api._lua_tolstring(L, index, lengthOut);
      if (!pointer) throw new TypeError('expected a Lua string on the stack');
      return m.HEAPU8.subarray(pointer, pointer + m.HEAPU32[lengthOut >> 2]);
    },
    free() {
      if (scratch) m._free(scratch);
      m._free(lengthOut);
      scratch = scratchSize = 0;
    },
  };
}
