// Copies the files tsc does not emit (Lua scripts) next to the compiled JavaScript.
import { cpSync } from 'node:fs';

cpSync(new URL('../src/store/lua', import.meta.url), new URL('../dist/store/lua', import.meta.url), { recursive: true });
