import { describe, expect, it } from 'vitest';
import { matchesIfNoneMatch, parseIfMatch } from '../../src/http/conditional.js';
import { ValidationError } from '../../src/errors.js';
import { decodeCursor, encodeCursor, encodeSearchCursor, searchPositionOf } from '../../src/search/page-cursor.js';

describe('page cursors', () => {
  it.each([
    { tier: 0, key: 'weather-agent' },
    { tier: 1, key: 'a.b_c~d-9' },
    { tier: 1, key: 'id:with:colons' },
    { tier: 0, key: 'météo 天気 🌦' },
    { tier: 0, key: 'x' },
  ])('decodes to the position it was encoded from: $key', (position) => {
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it('is URL-safe text', () => {
    expect(encodeCursor({ tier: 1, key: 'ÿÿÿ???>>>' })).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  const rejected = (cursor: string) => () => decodeCursor(cursor);

  it.each([
    ['an empty string', ''],
    ['text that is not base64url', 'not a cursor!'],
    ['base64url of text without a tier', Buffer.from('weather-agent').toString('base64url')],
    ['base64url of a non-digit tier', Buffer.from('x:weather-agent').toString('base64url')],
    ['base64url of a tier without an id', Buffer.from('0:').toString('base64url')],
    ['the padded base64 spelling of a valid position', Buffer.from('0:ab').toString('base64')],
  ])('rejects %s with a ValidationError', (_name, cursor) => {
    expect(rejected(cursor)).toThrow(ValidationError);
  });

  it('rejects a cursor whose first character was changed so that its tier is no digit', () => {
    const cursor = encodeCursor({ tier: 0, key: 'weather-agent' });
    const tampered = `Z${cursor.slice(1)}`;
    expect(Buffer.from(tampered, 'base64url').toString('utf8')).toBe('d:weather-agent');
    expect(rejected(tampered)).toThrow(ValidationError);
  });

  it('rejects a cursor whose last character was changed in bits the encoding does not use', () => {
    const cursor = encodeCursor({ tier: 0, key: 'ab' });
    expect(cursor).toBe('MDphYg');
    const tampered = 'MDphYh'; // decodes to the same bytes, but is not the encoding the registry issues
    expect(Buffer.from(tampered, 'base64url').toString('utf8')).toBe('0:ab');
    expect(rejected(tampered)).toThrow(ValidationError);
  });

  it('rejects a cursor with extra characters appended', () => {
    expect(rejected(`${encodeCursor({ tier: 0, key: 'weather-agent' })}x`)).toThrow(ValidationError);
  });

  it('names the cursor parameter in its violation', () => {
    try {
      decodeCursor('garbage!');
      expect.unreachable('the cursor should be rejected');
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).violations).toEqual([{ path: '$.cursor', message: 'is not a cursor this registry issued' }]);
    }
  });

  it('turns a place in a search into a cursor and back, ordering the cursors of one tier as their numbers', () => {
    const numbers = [0, 1, 9, 10, 99, 100, 123_456, 2 ** 52];
    const cursors = numbers.map((agentNumber) => decodeCursor(encodeSearchCursor({ tier: 1, agentNumber })));
    expect(cursors.map(searchPositionOf)).toEqual(numbers.map((agentNumber) => ({ tier: 1, agentNumber })));
    const keys = cursors.map((cursor) => cursor.key);
    expect([...keys].sort()).toEqual(keys);
  });

  it.each([
    ['a listing cursor (an id)', { tier: 0, key: 'weather-agent' }],
    ['a tier the search does not have', { tier: 4, key: '0000000000000001' }],
    ['a number of the wrong length', { tier: 0, key: '12' }],
  ])('refuses %s as the place of a search', (_what, cursor) => {
    expect(() => searchPositionOf(cursor)).toThrow(ValidationError);
  });
});

describe('parseIfMatch', () => {
  it.each([
    ['a strong tag', '"12"', [12]],
    ['a bare revision, as clients of the earlier registry send', '12', [12]],
    ['a tag with surrounding spaces', '  "7"  ', [7]],
    ['a list of tags', '"1", "2"', [1, 2]],
  ])('reads the revisions of %s', (_name, header, revisions) => {
    expect(parseIfMatch(header)).toEqual(revisions);
  });

  it.each([
    ['a weak tag (If-Match compares strongly)', 'W/"12"'],
    ['a tag that names no revision', '"stale-etag-0"'],
    ['a tag of a negative number', '"-1"'],
    ['a revision with more than 15 digits', '"1234567890123456"'],
    ['the empty tag', '""'],
  ])('reads %s as matching nothing', (_name, header) => {
    expect(parseIfMatch(header)).toEqual([]);
  });

  it('keeps the strong tags of a list that mixes weak and strong ones', () => {
    expect(parseIfMatch('W/"3", "4", "x"')).toEqual([4]);
  });

  it('reads * as any current version', () => {
    expect(parseIfMatch('*')).toBe('*');
    expect(parseIfMatch(' * ')).toBe('*');
  });

  it.each([
    ['an absent header', undefined],
    ['an empty header', ''],
    ['a blank header', '   '],
  ])('yields undefined for %s', (_name, header) => {
    expect(parseIfMatch(header)).toBeUndefined();
  });

  it.each([
    ['a word', 'latest'],
    ['a lower-case weak prefix', 'w/"12"'],
    ['an unterminated tag', '"12'],
    ['a tag with a space inside', '"1 2"'],
    ['a list with one malformed element', '"1", two'],
  ])('rejects %s with a ValidationError', (_name, header) => {
    expect(() => parseIfMatch(header)).toThrow(ValidationError);
  });

  it('names the header in its violation', () => {
    try {
      parseIfMatch('garbage');
      expect.unreachable('the header should be rejected');
    } catch (error) {
      expect((error as ValidationError).violations[0]?.path).toBe('header:If-Match');
    }
  });
});

describe('matchesIfNoneMatch', () => {
  const etag = '"12"';

  it('matches the same strong tag', () => {
    expect(matchesIfNoneMatch('"12"', etag)).toBe(true);
  });

  it('matches the weak form of the tag', () => {
    expect(matchesIfNoneMatch('W/"12"', etag)).toBe(true);
  });

  it('does not match another revision', () => {
    expect(matchesIfNoneMatch('"11"', etag)).toBe(false);
    expect(matchesIfNoneMatch('"120"', etag)).toBe(false);
  });

  it('matches when any tag of a list is current', () => {
    expect(matchesIfNoneMatch('"3", W/"7", "12"', etag)).toBe(true);
  });

  it('does not match when no tag of a list is current', () => {
    expect(matchesIfNoneMatch('"3", W/"7", "13"', etag)).toBe(false);
  });

  it('matches * whatever the tag', () => {
    expect(matchesIfNoneMatch('*', etag)).toBe(true);
  });

  it('does not match an absent or empty header', () => {
    expect(matchesIfNoneMatch(undefined, etag)).toBe(false);
    expect(matchesIfNoneMatch('', etag)).toBe(false);
  });

  it('does not match a garbage header', () => {
    expect(matchesIfNoneMatch('"abc", nonsense', etag)).toBe(false);
  });
});
