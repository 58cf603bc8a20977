import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The client is used without the server (no Express, no ioredis), and the server never needs the client.

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const CLIENT = join(SRC, 'client');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Every module a file imports or re-exports, as written. */
const specifiers = (file: string): string[] => [...readFileSync(file, 'utf8').matchAll(/^(?:import|export) [^;]*? from '([^']+)';/gm)].map((m) => m[1] as string);

describe('src/client', () => {
  it('imports only its own modules and Node built-ins', () => {
    const outside = sourceFiles(CLIENT).flatMap((file) =>
      specifiers(file)
        .filter((spec) => (spec.startsWith('.') ? !resolve(dirname(file), spec).startsWith(CLIENT) : !spec.startsWith('node:')))
        .map((spec) => `${relative(SRC, file)} imports ${spec}`),
    );
    expect(sourceFiles(CLIENT).length).toBeGreaterThan(5);
    expect(outside).toEqual([]);
  });

  it('is imported by no other part of src/', () => {
    const importers = sourceFiles(SRC)
      .filter((file) => !file.startsWith(CLIENT))
      .filter((file) => specifiers(file).some((spec) => spec.startsWith('.') && resolve(dirname(file), spec).startsWith(CLIENT)));
    expect(importers.map((file) => relative(SRC, file))).toEqual([]);
  });
});
