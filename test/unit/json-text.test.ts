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
});
