import type { LuaWasm } from 'wasmoon';

/**
 * Raw bytes across the wasm boundary. wasmoon's own string conversions go through UTF-8,
 * which mangles bytes 128-255 and stops at NUL, so bytes are copied through the heap.
 * `module.HEAPU8` is re-read on every access: the view is replaced when wasm memory grows.
 */
export interface ByteBridge {
  /** Pushes `bytes` onto L's stack as one Lua string of exactly bytes.length bytes. */
  push(L: number, bytes: Uint8Array): void;
  /** Copies the Lua string at `index` out of the wasm heap. */
  read(L: number, index: number): Uint8Array;
  /** Frees the scratch buffers. */
  free(): void;
}

/** A bridge with its own scratch buffer, grown as needed and reused between calls. */
export function createByteBridge(lua: LuaWasm): ByteBridge {
  const m = lua.module;
  const lengthPtr = m._malloc(4);
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
      // Called directly: wasmoon's wrapper would decode the returned pointer as UTF-8.
      m.ccall('lua_pushlstring', 'number', ['number', 'number', 'number'], [L, scratch, bytes.length]);
    },
    read(L, index) {
      const pointer = m.ccall('lua_tolstring', 'number', ['number', 'number', 'number'], [L, index, lengthPtr]) as number;
      if (!pointer) throw new TypeError('expected a Lua string on the stack');
      const length = m.HEAPU32[lengthPtr >> 2];
      return m.HEAPU8.slice(pointer, pointer + length);
    },
    free() {
      if (scratch) m._free(scratch);
      m._free(lengthPtr);
      scratch = scratchSize = 0;
    },
  };
}
