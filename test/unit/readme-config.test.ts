import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('the README configuration table', () => {
  it('documents every environment variable the config module reads', () => {
    const schema = read('src/config/config.ts');
    const names = [...schema.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1] as string);
    const readme = read('README.md');
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## HTTP API'));
    expect(names.length).toBeGreaterThan(30);
    expect(names.filter((name) => !table.includes(`\`${name}\``))).toEqual([]);
  });
});
