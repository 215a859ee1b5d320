import type { LuaWasm } from 'wasmoon';

/**
 * Opens the libraries a parser may use: base, string, table, math and utf8. Never io,
 * package, debug or coroutine, and never the os library as a global (os.exit ends the Node
 * process); sandbox-prelude.lua then trims base (dofile, loadfile, binary `load`, print).
 * utf8 is opened with luaopen_utf8 itself: wasmoon's loadLibrary(UTF8) opens string instead.
 */
export function openSandboxLibraries(lua: LuaWasm, L: number): void {
  lua.luaopen_base(L);
  lua.lua_settop(L, 0);
  const libraries: Array<[string, (L: number) => number]> = [
    ['string', lua.luaopen_string],
    ['table', lua.luaopen_table],
    ['math', lua.luaopen_math],
    ['utf8', lua.luaopen_utf8],
  ];
  for (const [name, open] of libraries) {
    open(L);
    lua.lua_setglobal(L, name);
  }
}
