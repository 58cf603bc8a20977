import { describe, expect, it } from 'vitest';
import { jsonDepth, rawJsonAt } from '../../src/http/raw-json.js';
import { seededRandom } from '../../bench/scenarios.js';

describe('rawJsonAt', () => {
  it('returns the whole value, without surrounding whitespace, for the empty path', () => {
    expect(rawJsonAt('  \n {"a": 1}\t ', [])).toBe('{"a": 1}');
  });

  it('keeps the whitespace inside the value it returns', () => {
    const text = '{ "card" :  {\n  "name" :  "x" ,\n  "tags" : [ 1 ,  2 ]\n}  , "other": true }';
    expect(rawJsonAt(text, ['card'])).toBe('{\n  "name" :  "x" ,\n  "tags" : [ 1 ,  2 ]\n}');
  });

  it('keeps the key order of the original text', () => {
    const text = '{"agent_card":{"z":1,"a":2,"m":{"y":0,"b":1}}}';
    expect(rawJsonAt(text, ['agent_card'])).toBe('{"z":1,"a":2,"m":{"y":0,"b":1}}');
  });

  it('keeps escape sequences exactly as written', () => {
    const text = String.raw`{"s":"a\"b\\c\u00e9\n\/","t":0}`;
    expect(rawJsonAt(text, ['s'])).toBe(String.raw`"a\"b\\c\u00e9\n\/"`);
  });

  it('keeps unicode text and finds keys written in unicode', () => {
    const text = '{"名前":"天気 🌦 météo","x":1}';
    expect(rawJsonAt(text, ['名前'])).toBe('"天気 🌦 météo"');
    expect(rawJsonAt(text, ['x'])).toBe('1');
  });

  it('finds a key written with escapes by its parsed name', () => {
    const text = String.raw`{"a\"b":1,"caf\u00e9":2}`;
    expect(rawJsonAt(text, ['a"b'])).toBe('1');
    expect(rawJsonAt(text, ['café'])).toBe('2');
  });

  it('keeps number literals as written', () => {
    const text = '{"a":1E+10,"b":-0.50e-3,"c":[0.0]}';
    expect(rawJsonAt(text, ['a'])).toBe('1E+10');
    expect(rawJsonAt(text, ['b'])).toBe('-0.50e-3');
    expect(rawJsonAt(text, ['c', 0])).toBe('0.0');
  });

  it('is not misled by brackets, braces, commas and quotes inside strings', () => {
    const text = String.raw`{"a":"},]{[\",","b":["x]","{y"],"c":"\\"}`;
    expect(rawJsonAt(text, ['a'])).toBe(String.raw`"},]{[\","`);
    expect(rawJsonAt(text, ['b', 1])).toBe('"{y"');
    expect(rawJsonAt(text, ['c'])).toBe(String.raw`"\\"`);
  });

  it('takes the last of duplicate keys, as JSON.parse does', () => {
    const text = '{"a":1,"b":{"a":"inner"},"a":{"x":[2]}}';
    expect(rawJsonAt(text, ['a'])).toBe('{"x":[2]}');
    expect(JSON.parse(rawJsonAt(text, ['a']) as string)).toEqual(JSON.parse(text).a);
    expect(rawJsonAt(text, ['a', 'x', 0])).toBe('2');
  });

  it('follows paths through nested arrays and objects by position and key', () => {
    const text = '{"skills":[{"id":"a"},{"id":"b","modes":[[1],[2,[3,"deep"]]]}]}';
    expect(rawJsonAt(text, ['skills', 1, 'id'])).toBe('"b"');
    expect(rawJsonAt(text, ['skills', 1, 'modes', 1, 1, 1])).toBe('"deep"');
    expect(rawJsonAt(text, ['skills', 0])).toBe('{"id":"a"}');
  });

  it('returns empty objects and arrays and literals', () => {
    const text = '{"o":{},"a":[],"n":null,"t":true,"f":false}';
    expect(rawJsonAt(text, ['o'])).toBe('{}');
    expect(rawJsonAt(text, ['a'])).toBe('[]');
    expect(rawJsonAt(text, ['n'])).toBe('null');
    expect(rawJsonAt(text, ['t'])).toBe('true');
    expect(rawJsonAt(text, ['f'])).toBe('false');
  });

  describe('returns undefined when the path leads to no value', () => {
    const text = '{"a":{"b":[10,20]},"s":"text","e":{},"l":[]}';

    it.each<[string, (string | number)[]]>([
      ['a missing key', ['missing']],
      ['a missing nested key', ['a', 'c']],
      ['a position past the end of an array', ['a', 'b', 2]],
      ['a position in an empty array', ['l', 0]],
      ['a key in an empty object', ['e', 'x']],
      ['a position inside an object', ['a', 0]],
      ['a key inside an array', ['a', 'b', '0']],
      ['a step into a string', ['s', 'length']],
      ['a step into a number', ['a', 'b', 0, 'x']],
    ])('%s', (_name, path) => {
      expect(rawJsonAt(text, path)).toBeUndefined();
    });
  });
});

describe('jsonDepth', () => {
  it.each([
    ['a scalar', '42', 0],
    ['a string', '"text"', 0],
    ['an empty object', '{}', 1],
    ['an empty array', '[]', 1],
    ['nested arrays', '[[[]]]', 3],
    ['objects in arrays in objects', '{"a":[{"b":[]}]}', 4],
    ['siblings, which do not add up', '[[],[],{"a":{}}]', 3],
  ])('counts the nesting of %s', (_name, text, depth) => {
    expect(jsonDepth(text)).toBe(depth);
  });

  it('ignores brackets and braces inside strings', () => {
    expect(jsonDepth('["[[[{{{", {"}}}": "]]]"}]')).toBe(2);
  });

  it('ignores brackets after an escaped quote inside a string', () => {
    expect(jsonDepth(String.raw`["\"[[[{{"]`)).toBe(1);
  });

  it('ends a string at a quote that follows an escaped backslash', () => {
    expect(jsonDepth(String.raw`["\\",[[1]]]`)).toBe(3);
  });
});

// ---- property-style checks over generated JSON ----

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };


const TRICKY_PIECES = ['a', 'Z', ' ', '"', '\\', '/', '{', '}', '[', ']', ',', ':', '\n', '\t', '\u0001', 'é', '名', '🌦', '\u2028', '0', '-'];

function generator(random: () => number) {
  const int = (max: number) => Math.floor(random() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;

  const string = (): string => Array.from({ length: int(8) }, () => pick(TRICKY_PIECES)).join('');

  const number = (): number => {
    switch (int(4)) {
      case 0:
        return int(1000);
      case 1:
        return -int(1_000_000) - 1;
      case 2:
        return (random() - 0.5) * 10 ** (int(40) - 20);
      default:
        return Number.MAX_SAFE_INTEGER - int(10);
    }
  };

  const value = (depth: number): Json => {
    // Containers near the root and scalars deeper down, so values nest a few levels and end.
    const containerChance = depth === 0 ? 1 : depth < 3 ? 0.6 : depth < 5 ? 0.3 : 0;
    const kind = random() < containerChance ? 4 + int(2) : int(4);
    switch (kind) {
      case 0:
        return null;
      case 1:
        return random() < 0.5;
      case 2:
        return number();
      case 3:
        return string();
      case 4:
        return Array.from({ length: int(5) }, () => value(depth + 1));
      default: {
        const object: { [key: string]: Json } = {};
        for (let i = int(5); i > 0; i--) {
          const key = random() < 0.2 ? String(int(20)) : string();
          if (key === '__proto__') continue;
          object[key] = value(depth + 1);
        }
        return object;
      }
    }
  };

  /** A random path to a value inside `root`, with the value found there. */
  const pathInto = (root: Json): { path: (string | number)[]; target: Json } => {
    const path: (string | number)[] = [];
    let target = root;
    while (typeof target === 'object' && target !== null && random() < 0.85) {
      if (Array.isArray(target)) {
        if (target.length === 0) break;
        const index = int(target.length);
        path.push(index);
        target = target[index] as Json;
      } else {
        const keys = Object.keys(target);
        if (keys.length === 0) break;
        const key = pick(keys);
        path.push(key);
        target = target[key] as Json;
      }
    }
    return { path, target };
  };

  return { value, pathInto, int };
}

function depthOf(value: Json): number {
  if (typeof value !== 'object' || value === null) return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(depthOf));
}

describe('rawJsonAt and jsonDepth over generated JSON', () => {
  const CASES = 400;

  it.each([
    ['indented by two spaces', 2],
    ['compact', undefined],
    ['indented by tabs', '\t'],
  ] as const)('rawJsonAt finds the value at a random path of JSON text %s', (_name, indent) => {
    const gen = generator(seededRandom(20240611));
    let nestedPaths = 0;
    for (let i = 0; i < CASES; i++) {
      const value = gen.value(0);
      const text = JSON.stringify(value, null, indent);
      const { path, target } = gen.pathInto(value);
      if (path.length >= 2) nestedPaths++;
      const raw = rawJsonAt(text, path);
      expect(raw, `case ${i}: path ${JSON.stringify(path)} in ${text}`).toBeDefined();
      expect(JSON.parse(raw as string), `case ${i}: path ${JSON.stringify(path)} in ${text}`).toEqual(target);
      expect(text, `case ${i}: the raw text is a slice of the original`).toContain(raw as string);
    }
    // The generator must reach into nested values, or the check proves little.
    expect(nestedPaths).toBeGreaterThan(CASES / 5);
  });

  it('rawJsonAt returns undefined for a key that is not in a generated object', () => {
    const gen = generator(seededRandom(7));
    let checked = 0;
    for (let i = 0; i < CASES; i++) {
      const value = gen.value(0);
      const { path, target } = gen.pathInto(value);
      if (typeof target !== 'object' || target === null || Array.isArray(target)) continue;
      checked++;
      const text = JSON.stringify(value, null, 2);
      expect(rawJsonAt(text, [...path, '\u0000absent'])).toBeUndefined();
      expect(rawJsonAt(text, [...path, 0])).toBeUndefined();
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('jsonDepth equals the nesting of the generated value', () => {
    const gen = generator(seededRandom(99));
    for (let i = 0; i < CASES; i++) {
      const value = gen.value(0);
      const text = JSON.stringify(value, null, gen.int(2) === 0 ? 2 : undefined);
      expect(jsonDepth(text), `case ${i}: ${text}`).toBe(depthOf(value));
    }
  });
});
