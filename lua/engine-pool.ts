import { LuaFactory, type LuaWasm } from 'wasmoon';

/** Recycle a module after this many runs, or once its heap has grown past this size. */
const MAX_RUNS_PER_MODULE = 100;
const MAX_HEAP_BYTES = 64 * 1024 * 1024;

interface ModuleSlot {
  lua: Promise<LuaWasm>;
  runs: number;
  retired: boolean;
}

export interface Lease {
  lua: LuaWasm;
  /** Returns the module; `broken` retires it (it aborted or its heap is suspect). */
  release(broken?: boolean): void;
}

/**
 * Hands out wasm Lua modules. Every Lua state of one module shares one heap that never
 * shrinks, so a module is retired after a big run (or many runs) and a fresh one is made;
 * the old one is garbage once its last run ends.
 */
export function createEnginePool() {
  let current: ModuleSlot | null = null;

  return {
    async acquire(): Promise<Lease> {
      if (!current || current.retired) {
        current = { lua: new LuaFactory().getLuaModule(), runs: 0, retired: false };
      }
      const slot = current;
      slot.runs++;
      if (slot.runs >= MAX_RUNS_PER_MODULE) slot.retired = true;
      let lua: LuaWasm;
      try {
        lua = await slot.lua;
      } catch (error) {
        slot.retired = true;
        throw error;
      }
      let released = false;
      return {
        lua,
        release(broken = false) {
          if (released) return;
          released = true;
          if (broken || lua.module.HEAPU8.length > MAX_HEAP_BYTES) slot.retired = true;
        },
      };
    },
  };
}
