import { describe, expect, it } from 'vitest';
import { validateCard } from '../../src/card/card-validation.js';
import { indexTermsOf } from '../../src/search/index-terms.js';
import { encodeSearchCursor } from '../../src/search/page-cursor.js';
import {
  benchCard,
  maxMemoryPerAgentRatio,
  RARE_SKILL_SHARE,
  searchCursorAfter,
  searchShapeQuery,
  seededRandom,
  skillIdShare,
  smallBenchCard,
  TENTH_PROVIDER,
} from '../../bench/scenarios.js';

const CARDS = 10_000;
/** The index terms of the first 10,000 bench cards, as the registry derives them. */
const termsOfCards = Array.from({ length: CARDS }, (_, index) => new Set(indexTermsOf(validateCard(benchCard(index)))));
const shareWith = (term: string) => termsOfCards.filter((terms) => terms.has(term)).length / CARDS;
const queriesOf = (shape: Parameters<typeof searchShapeQuery>[0], count = 200) => {
  const random = seededRandom(1);
  return Array.from({ length: count }, () => new URLSearchParams(searchShapeQuery(shape, CARDS, random)));
};

describe('the search shapes over the bench cards', () => {
  it('search-all and search-word-all match every card', () => {
    expect(shareWith('in:text/plain')).toBe(1);
    expect(shareWith('tok:agent')).toBe(1);
    expect(shareWith('ntok:agent')).toBe(1);
  });

  it('search-tenth names the provider about a tenth of the cards have', () => {
    expect(TENTH_PROVIDER).toBe('Initech');
    expect(shareWith(`org:${TENTH_PROVIDER.toLowerCase()}`)).toBeGreaterThan(0.09);
    expect(shareWith(`org:${TENTH_PROVIDER.toLowerCase()}`)).toBeLessThan(0.11);
    expect(queriesOf('search-tenth').every((query) => query.get('provider') === TENTH_PROVIDER)).toBe(true);
  });

  it('search-two-broad combines two filters that each hold for over half of the cards', () => {
    expect(shareWith('binding:jsonrpc')).toBeGreaterThan(0.5);
  });

  it('search-broad-rare-word asks for a word exactly one card has', () => {
    for (const query of queriesOf('search-broad-rare-word', 20)) {
      expect(query.get('input_mode')).toBe('text/plain');
      expect(shareWith(`tok:${query.get('q')}`) * CARDS, `q=${query.get('q')}`).toBe(1);
    }
  });

  it('search-rare-skill asks for skills 0.01-0.1% of the cards have', () => {
    const shares = queriesOf('search-rare-skill').map((query) => skillIdShare(query.get('skill') as string));
    expect(Math.min(...shares)).toBeGreaterThanOrEqual(RARE_SKILL_SHARE.min);
    expect(Math.max(...shares)).toBeLessThanOrEqual(RARE_SKILL_SHARE.max);
    // Counted over the cards, the skills of the sample are held by as few agents as their computed shares say.
    const measured = queriesOf('search-rare-skill').map((query) => shareWith(`skill:${query.get('skill')}`));
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean(measured)).toBeGreaterThan(mean(shares) * 0.8);
    expect(mean(measured)).toBeLessThan(mean(shares) * 1.5);
  });

  it('computes the share of a common skill as the cards have it', () => {
    expect(skillIdShare('weather-1')).toBeCloseTo(shareWith('skill:weather-1'), 2);
  });

  it('pages the broad shapes from random places with the cursors the registry writes', () => {
    expect(searchCursorAfter(4711)).toBe(encodeSearchCursor({ tier: 0, agentNumber: 4711 }));
    const cursors = new Set(queriesOf('search-all').map((query) => query.get('cursor')));
    expect(cursors.size).toBeGreaterThan(150);
  });
});

describe('the small bench cards', () => {
  it('are about 650 bytes of JSON, with one skill', () => {
    const sizes = Array.from({ length: 1000 }, (_, index) => JSON.stringify(smallBenchCard(index)).length);
    const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    expect(mean).toBeGreaterThan(600);
    expect(mean).toBeLessThan(700);
    expect(() => validateCard(smallBenchCard(3))).not.toThrow();
  });
});

describe('the memory bound', () => {
  it('is 3 times the card JSON below 1,000,000 agents and 2 times from there', () => {
    expect(maxMemoryPerAgentRatio(999_999)).toBe(3);
    expect(maxMemoryPerAgentRatio(1_000_000)).toBe(2);
  });
});
