// Copies the files tsc does not emit (Lua scripts) next to the compiled JavaScript, and makes the
// client's command line executable (tsc writes it without the execute bits its `#!` line needs).
import { chmodSync, cpSync } from 'node:fs';

cpSync(new URL('../src/store/lua', import.meta.url), new URL('../dist/store/lua', import.meta.url), { recursive: true });
chmodSync(new URL('../dist/client/cli.js', import.meta.url), 0o755);
