import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [resolve(path)] : [];
  });
}

/** The relative modules a file imports, type-only imports included. */
function allImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^import [^;]*? from '(\.[^']+)';/gm)].map((m) => resolve(dirname(file), (m[1] as string).replace(/\.js$/, '.ts')));
}

/** The folder of src/ a file belongs to (`agents` for `agents/agent-service.ts`), or the file itself at the top. */
const folderOf = (file: string): string => relative(SRC, file).split('/')[0] as string;

/** The relative modules a file imports at run time (type-only imports vanish when compiled). */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^import (?!type )[^;]*? from '(\.[^']+)';/gm)].map((m) => resolve(dirname(file), (m[1] as string).replace(/\.js$/, '.ts')));
}

function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') found.push(stack.slice(stack.indexOf(next)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

describe('the module graph of src/', () => {
  it('has no import cycles', () => {
    const files = sourceFiles(SRC);
    const graph = new Map(files.map((file) => [file, runtimeImports(file)]));
    const named = cycles(graph).map((cycle) => cycle.map((file) => relative(SRC, file)).join(' -> '));
    expect(files.length).toBeGreaterThan(50);
    expect(named).toEqual([]);
  });

  it('has no import cycles between its folders, type-only imports included', () => {
    const graph = new Map<string, Set<string>>();
    for (const file of sourceFiles(SRC)) {
      const from = folderOf(file);
      for (const target of allImports(file).map(folderOf)) {
        if (target !== from) graph.set(from, (graph.get(from) ?? new Set()).add(target));
      }
    }
    expect(graph.size).toBeGreaterThan(10);
    const named = cycles(new Map([...graph].map(([folder, targets]) => [folder, [...targets]]))).map((cycle) => cycle.join(' -> '));
    expect(named).toEqual([]);
  });
});
