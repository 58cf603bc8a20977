import { describe, expect, it } from 'vitest';
import { RawJson, RawJsonArray, toJsonBytes } from '../../src/http/json-text.js';

/** What a client reads: the bytes as UTF-8 text. */
const textOf = (value: unknown): string => toJsonBytes(value).toString('utf8');

describe('toJsonBytes', () => {
  it('serialises plain values as JSON.stringify does', () => {
    const value = { a: 1, b: 'two', c: [true, null], d: { e: 'é \u0000 "' }, skipped: undefined };
    expect(textOf(value)).toBe(JSON.stringify(value));
  });

  it('embeds raw JSON text exactly, whitespace and key order included', () => {
    const card = '{ "name" : "x",\n  "b": [1, 2] }';
    expect(textOf({ agents: [new RawJson(card), new RawJson('[]')], count: 2 })).toBe(`{"agents":[${card},[]],"count":2}`);
  });

  it('embeds a raw value at the top level', () => {
    expect(textOf(new RawJson(' {"a":1} '))).toBe(' {"a":1} ');
  });

  it('leaves client strings that look like placeholders alone', () => {
    const value = { s: '\u00000', t: '\u0000abc:1', raw: new RawJson('{"k":true}') };
    const parsed = JSON.parse(textOf(value)) as Record<string, unknown>;
    expect(parsed).toEqual({ s: '\u00000', t: '\u0000abc:1', raw: { k: true } });
  });

  it('puts many raw values, and the same one twice, each in its own place', () => {
    const raws = Array.from({ length: 120 }, (_, i) => new RawJson(`{"n":${i}}`));
    const value = { first: raws[3], list: raws, nested: { again: raws[3], last: raws[119] } };
    expect(textOf(value)).toBe(JSON.stringify({ first: { n: 3 }, list: raws.map((_, i) => ({ n: i })), nested: { again: { n: 3 }, last: { n: 119 } } }));
  });

  it('leaves raw text that holds placeholder-like strings alone', () => {
    const raw = new RawJson('{"t":"\\u0000abc:0"}');
    expect(textOf([raw, new RawJson('1')])).toBe('[{"t":"\\u0000abc:0"},1]');
  });
});

describe('RawJsonArray', () => {
  it('embeds its items exactly as one array, beside other raw values and arrays', () => {
    const card = '{ "name" : "x",\n  "b": [1, 2] }';
    const value = { agents: new RawJsonArray([new RawJson(card), new RawJson('[]'), new RawJson(card)]), none: new RawJsonArray([]), one: new RawJson('7'), count: 3 };
    expect(textOf(value)).toBe(`{"agents":[${card},[],${card}],"none":[],"one":7,"count":3}`);
  });

  it('embeds one item without commas, and arrays at the top level', () => {
    expect(textOf(new RawJsonArray([new RawJson('{"a":1}')]))).toBe('[{"a":1}]');
    expect(textOf([new RawJsonArray([new RawJson('1'), new RawJson('2')]), new RawJsonArray([new RawJson('3')])])).toBe('[[1,2],[3]]');
  });

  it('is the parsed array wherever it is serialised by JSON.stringify itself', () => {
    const value = { list: new RawJsonArray([new RawJson('{ "k" : true }'), new RawJson('2')]) };
    expect(JSON.stringify(value)).toBe('{"list":[{"k":true},2]}');
  });
});

describe('toJsonBytes with text of more than one byte a character', () => {
  const card = '{ "name": "café ☕",\n "n": 1 }';

  it('embeds raw values holding such text', () => {
    expect(textOf({ agents: [new RawJson(card), new RawJson('[]')], count: 2 })).toBe(`{"agents":[${card},[]],"count":2}`);
    expect(textOf(new RawJson(card))).toBe(card);
  });

  it('puts raw values in the right places when text around them is not one byte a character', () => {
    const raw = new RawJson(card);
    const value = { query: 'naïve ☕ search', agents: [raw, new RawJson('1'), raw], after: 'ü' };
    expect(textOf(value)).toBe(`{"query":"naïve ☕ search","agents":[${card},1,${card}],"after":"ü"}`);
    const arrays = { query: 'naïve ☕', agents: new RawJsonArray([raw, raw]), after: 'ü', results: new RawJsonArray([new RawJson('"é"')]) };
    expect(textOf(arrays)).toBe(`{"query":"naïve ☕","agents":[${card},${card}],"after":"ü","results":["é"]}`);
  });

  it('encodes a raw value once and reuses its bytes', () => {
    const raw = new RawJson(card);
    expect(raw.bytes).toBe(raw.bytes);
    expect(raw.bytes.toString('utf8')).toBe(card);
    expect(textOf({ one: raw, two: raw })).toBe(`{"one":${card},"two":${card}}`);
  });
});
