import { describe, expect, it } from 'vitest';
import { RawJson, toJsonText } from '../../src/http/json-text.js';

describe('toJsonText', () => {
  it('serialises plain values as JSON.stringify does', () => {
    const value = { a: 1, b: 'two', c: [true, null], d: { e: 'é \u0000 "' }, skipped: undefined };
    expect(toJsonText(value)).toBe(JSON.stringify(value));
  });

  it('embeds raw JSON text exactly, whitespace and key order included', () => {
    const card = '{ "name" : "x",\n  "b": [1, 2] }';
    expect(toJsonText({ agents: [new RawJson(card), new RawJson('[]')], count: 2 })).toBe(`{"agents":[${card},[]],"count":2}`);
  });

  it('embeds a raw value at the top level', () => {
    expect(toJsonText(new RawJson(' {"a":1} '))).toBe(' {"a":1} ');
  });

  it('leaves client strings that look like placeholders alone', () => {
    const value = { s: '\u00000', t: '\u0000abc:1', raw: new RawJson('{"k":true}') };
    const parsed = JSON.parse(toJsonText(value)) as Record<string, unknown>;
    expect(parsed).toEqual({ s: '\u00000', t: '\u0000abc:1', raw: { k: true } });
  });

  it('puts many raw values, and the same one twice, each in its own place', () => {
    const raws = Array.from({ length: 120 }, (_, i) => new RawJson(`{"n":${i}}`));
    const value = { first: raws[3], list: raws, nested: { again: raws[3], last: raws[119] } };
    expect(toJsonText(value)).toBe(JSON.stringify({ first: { n: 3 }, list: raws.map((_, i) => ({ n: i })), nested: { again: { n: 3 }, last: { n: 119 } } }));
  });

  it('leaves raw text that holds placeholder-like strings alone', () => {
    const raw = new RawJson('{"t":"\\u0000abc:0"}');
    expect(toJsonText([raw, new RawJson('1')])).toBe('[{"t":"\\u0000abc:0"},1]');
  });
});
