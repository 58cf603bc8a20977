import { describe, expect, it } from 'vitest';
import { boundedIndexTermsOf } from '../../src/agents/record-terms.js';
import { validateCard } from '../../src/card/card-validation.js';
import { CARD_LIMITS } from '../../src/card/card-limits.js';
import { indexTermsOf } from '../../src/search/index-terms.js';
import { addPrefixTerms, isPrefixable, MAX_PREFIX_LENGTH, MAX_PREFIX_TERMS_PER_CARD } from '../../src/search/word-prefixes.js';
import { cardV1 } from '../helpers/cards.js';

describe('word prefixes of the text index', () => {
  const terms = (words: string[], limit?: number) => {
    const set = new Set<string>();
    addPrefixTerms(set, 'pre:', words, limit);
    return [...set];
  };

  it('holds each word of 3 to 10 letters whole, and its leading 3 to 10 letters', () => {
    expect(terms(['translate'])).toEqual(['pre:translate', 'pre:tra', 'pre:tran', 'pre:trans', 'pre:transl', 'pre:transla', 'pre:translat']);
  });

  it('holds at most the first 10 letters of a longer word, and not the word itself', () => {
    const found = terms(['internationalisation']);
    expect(found).toContain(`pre:${'internationalisation'.slice(0, MAX_PREFIX_LENGTH)}`);
    expect(found).not.toContain('pre:internationalisation');
    expect(found.every((term) => term.length <= 'pre:'.length + MAX_PREFIX_LENGTH)).toBe(true);
  });

  it('holds no prefix of a two-letter word', () => {
    expect(terms(['ai'])).toEqual([]);
  });

  it('counts letters, not UTF-16 units', () => {
    expect(terms(['日本語の'])).toEqual(['pre:日本語の', 'pre:日本語']);
  });

  it('stops adding shorter prefixes at its limit, but always holds every whole word', () => {
    const words = Array.from({ length: 50 }, (_, i) => `word${String(i).padStart(2, '0')}xyz`);
    const found = terms(words, 10);
    expect(found.filter((term) => words.includes(term.slice(4)))).toHaveLength(50);
    expect(found).toHaveLength(50 + 10);
  });

  it('tells which query words match by prefix', () => {
    expect(['ai', 'tra', 'translate', 'translation', 'internationalisation'].map(isPrefixable)).toEqual([false, true, true, false, false]);
  });

  it('are terms of every card, pre: for all its words and npre: for its name', () => {
    const all = indexTermsOf(validateCard(cardV1({ name: 'Translator Bot' })));
    expect(all).toEqual(expect.arrayContaining(['pre:transl', 'pre:translator', 'npre:transl', 'npre:bot', 'pre:forec']));
    expect(all).not.toContain('npre:forec');
  });

  it('do not count towards the card term limit, which stays what it was', () => {
    // 200 words of nine letters whose first three differ: each has six shorter prefixes of its own.
    const letters = (i: number) => [i % 26, Math.floor(i / 26) % 26, 7].map((n) => String.fromCharCode(97 + n)).join('');
    const words = Array.from({ length: 200 }, (_, i) => `${letters(i)}xxwords`).join(' ');
    const card = validateCard(cardV1({ description: words }));
    const terms = boundedIndexTermsOf(card, '$');
    expect(terms.filter((term) => term.startsWith('pre:')).length).toBeGreaterThan(200);
    expect(terms.filter((term) => !term.startsWith('pre:') && !term.startsWith('npre:')).length).toBeLessThanOrEqual(CARD_LIMITS.indexTerms);
    expect(terms.filter((term) => term.startsWith('pre:')).length).toBe(200 + MAX_PREFIX_TERMS_PER_CARD);
  });
});
