import { describe, expect, it } from 'vitest';
import { validateCard } from '../../src/card/card-validation.js';
import { indexTermsOf } from '../../src/search/index-terms.js';
import { packTerms } from '../../src/store/packed-terms.js';
import { storedRecordTerms } from '../../src/agents/record-terms.js';
import { recordSummaryOf } from '../../src/agents/record-summary.js';
import { addDistinctTokens, MAX_TOKENS_PER_CARD, tokenize } from '../../src/search/tokenizer.js';
import { cardV03, cardV1, legacyCard } from '../helpers/cards.js';

describe('tokenize', () => {
  it('lower-cases words', () => {
    expect(tokenize('Weather FORECAST Agent')).toEqual(['weather', 'forecast', 'agent']);
  });

  it('folds accents away', () => {
    expect(tokenize('Café Société Ñandú')).toEqual(['cafe', 'societe', 'nandu']);
  });

  it('drops stopwords', () => {
    expect(tokenize('The forecast for a city and the alerts of it')).toEqual(['forecast', 'city', 'alerts']);
  });

  it('drops one-character words but keeps two-character ones and numbers', () => {
    expect(tokenize('x y go 40 7 languages')).toEqual(['go', '40', 'languages']);
  });

  it('splits on punctuation and symbols', () => {
    expect(tokenize('text/plain, e-mail; hello_world!')).toEqual(['text', 'plain', 'mail', 'hello', 'world']);
  });

  it('keeps repeated words, in order', () => {
    expect(tokenize('echo echo delta')).toEqual(['echo', 'echo', 'delta']);
  });

  it('drops words longer than 64 characters', () => {
    expect(tokenize(`${'a'.repeat(65)} ${'b'.repeat(64)}`)).toEqual(['b'.repeat(64)]);
  });

  it('yields nothing for empty text', () => {
    expect(tokenize('')).toEqual([]);
  });

  it('splits text with one non-ASCII character by the same rule as ASCII text', () => {
    const ascii = 'Route_planner v2: ROUTES for EV-charging, 24/7 (beta)';
    expect(tokenize(`${ascii} ·`)).toEqual(tokenize(ascii));
    expect(tokenize(`Ωmega ${ascii}`)).toEqual(['ωmega', ...tokenize(ascii)]);
    expect(tokenize('naïve ＦＵＬＬ width')).toEqual(['naive', 'full', 'width']);
  });
});

describe('addDistinctTokens', () => {
  /** The terms addDistinctTokens adds to a set that already holds one of another kind. */
  const added = (texts: string[], limit?: number): string[] => {
    const terms = new Set(['skill:x']);
    addDistinctTokens(terms, 'tok:', texts, limit);
    return [...terms].slice(1);
  };

  it('adds each token once, prefixed, in order of first appearance across texts', () => {
    expect(added(['Weather agent', 'agent for WEATHER alerts'])).toEqual(['tok:weather', 'tok:agent', 'tok:alerts']);
  });

  it('stops at the limit it is given, however many terms the set held before', () => {
    expect(added(['one two', 'three four five'], 3)).toEqual(['tok:one', 'tok:two', 'tok:three']);
  });

  it('does not count repeated tokens towards the limit', () => {
    expect(added(['one one one two two three'], 2)).toEqual(['tok:one', 'tok:two']);
  });

  it('stops at MAX_TOKENS_PER_CARD by default', () => {
    const words = Array.from({ length: MAX_TOKENS_PER_CARD + 50 }, (_, i) => `word${i}`);
    expect(added([words.join(' ')])).toEqual(words.slice(0, MAX_TOKENS_PER_CARD).map((word) => `tok:${word}`));
  });
});

describe('indexTermsOf', () => {
  const weatherTerms = indexTermsOf(validateCard(cardV1()));

  it('yields one skill: term per skill id', () => {
    expect(weatherTerms.filter((t) => t.startsWith('skill:'))).toEqual(['skill:forecast']);
  });

  it('yields tag: terms lower-cased', () => {
    expect(weatherTerms.filter((t) => t.startsWith('tag:')).sort()).toEqual(['tag:forecast', 'tag:weather']);
  });

  it('yields in: and out: terms for the default modes and the skill-level modes', () => {
    const terms = indexTermsOf(
      validateCard(
        cardV1({
          skills: [
            { id: 'chart', name: 'Chart', description: 'Draws charts', tags: ['charts'], inputModes: ['text/csv'], outputModes: ['image/svg+xml'] },
          ],
        }),
      ),
    );
    expect(terms.filter((t) => t.startsWith('in:')).sort()).toEqual(['in:text/csv', 'in:text/plain']);
    expect(terms.filter((t) => t.startsWith('out:')).sort()).toEqual(['out:application/json', 'out:image/svg+xml']);
  });

  it('yields a binding: term per interface binding, lower-cased', () => {
    expect(indexTermsOf(validateCard(cardV03())).filter((t) => t.startsWith('binding:')).sort()).toEqual([
      'binding:grpc',
      'binding:jsonrpc',
    ]);
  });

  it('yields streaming:true and push:false for a streaming card without push notifications', () => {
    expect(weatherTerms).toContain('streaming:true');
    expect(weatherTerms).toContain('push:false');
    expect(weatherTerms).not.toContain('streaming:false');
    expect(weatherTerms).not.toContain('push:true');
  });

  it('yields streaming:false and push:true for a card with push notifications but no streaming', () => {
    const terms = indexTermsOf(validateCard(cardV03()));
    expect(terms).toContain('streaming:false');
    expect(terms).toContain('push:true');
    expect(terms).not.toContain('streaming:true');
    expect(terms).not.toContain('push:false');
  });

  it('yields an ext: term per extension URI', () => {
    expect(weatherTerms.filter((t) => t.startsWith('ext:'))).toEqual(['ext:https://example.com/ext/geo']);
  });

  it('yields an org: term for the provider organization, folded', () => {
    expect(weatherTerms.filter((t) => t.startsWith('org:'))).toEqual(['org:example weather co']);
  });

  it('yields no org: term for a card without a provider', () => {
    expect(indexTermsOf(validateCard(cardV03())).some((t) => t.startsWith('org:'))).toBe(false);
  });

  it('yields a format: term naming the card format', () => {
    expect(weatherTerms.filter((t) => t.startsWith('format:'))).toEqual(['format:a2a-1.0']);
    expect(indexTermsOf(validateCard(cardV03()))).toContain('format:a2a-0.3');
    expect(indexTermsOf(validateCard(legacyCard()))).toContain('format:legacy');
  });

  it('yields tok: terms for the words of the name, skills, tags and descriptions', () => {
    const tokens = weatherTerms.filter((t) => t.startsWith('tok:'));
    expect(tokens).toEqual(
      expect.arrayContaining([
        'tok:weather', // name, tag
        'tok:agent', // name
        'tok:forecast', // skill id, tag
        'tok:seven', // skill description
        'tok:alerts', // card description
        'tok:city', // descriptions
      ]),
    );
    expect(tokens).not.toContain('tok:for'); // stopword
    expect(tokens).not.toContain('tok:and');
  });

  it('yields ntok: terms for the words of the name only', () => {
    expect(weatherTerms.filter((t) => t.startsWith('ntok:')).sort()).toEqual(['ntok:agent', 'ntok:weather']);
  });

  it('yields every term once', () => {
    expect(new Set(weatherTerms).size).toBe(weatherTerms.length);
  });

  it('yields no term for blank values', () => {
    const terms = indexTermsOf(validateCard(legacyCard({ skills: [{ id: 'summarize', tags: ['  ', 'Text'] }] })));
    expect(terms).toContain('tag:text');
    expect(terms.filter((t) => t.startsWith('tag:'))).toEqual(['tag:text']);
  });
});

describe('packTerms', () => {
  it('writes each kind once, with its values separated by tabs', () => {
    expect(packTerms(['tok:weather', 'skill:forecast', 'tok:alerts', 'ext:urn:a2a:ext'])).toBe(
      'tok:weather\talerts\nskill:forecast\next:urn:a2a:ext',
    );
  });

  it('keeps every term of a card, in far less text than one line per term', () => {
    const terms = indexTermsOf(validateCard(cardV1()));
    const packed = packTerms(terms);
    const unpacked = packed.split('\n').flatMap((line) => {
      const [kind, values] = [line.slice(0, line.indexOf(':') + 1), line.slice(line.indexOf(':') + 1)];
      return values.split('\t').map((value) => kind + value);
    });
    expect(unpacked.sort()).toEqual([...terms].sort());
    expect(packed.length).toBeLessThan(terms.join('\n').length);
  });
});

describe('storedRecordTerms', () => {
  it('derives a stored card its terms and its signature status term', () => {
    const card = cardV1();
    const summary = recordSummaryOf(validateCard(card), { status: 'verified' });
    expect(storedRecordTerms(JSON.stringify(card), summary)).toEqual([...indexTermsOf(validateCard(card)), 'sig:verified']);
  });

  it('yields no terms for a stored card that no longer validates, so writes to it still go through', () => {
    const summary = recordSummaryOf(validateCard(cardV1()), { status: 'unsigned' });
    expect(storedRecordTerms('{"name": 42}', summary)).toEqual([]);
    expect(storedRecordTerms('not json', summary)).toEqual([]);
  });
});
