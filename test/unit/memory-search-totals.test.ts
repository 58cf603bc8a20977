import { describe, expect, it } from 'vitest';
import { storedCards } from '../../src/agents/stored-cards.js';
import { MemoryAgentStore } from '../../src/store/memory-agent-store.js';
import { DEFAULT_INDEX_TUNING } from '../../src/store/term-layout.js';
import { cardV1 } from '../helpers/cards.js';
import { writeOf } from '../helpers/store-backends.js';

/** Counting is dear past 4 members of the rarest term: the total is estimated from a sample of 4 of them. */
const TUNING = { ...DEFAULT_INDEX_TUNING, countBudget: 4, estimateSamples: 2 };

/**
 * Agent `i`: the first 40 are tagged `b`, the rarer tag; `a` is on the 60 after them and on three of
 * the first (1 to 3), which fall between the members of `b` the sample picks (every tenth).
 */
function card(i: number): Record<string, unknown> {
  const tags = [...(i < 40 ? ['b'] : []), ...((i >= 1 && i <= 3) || i >= 40 ? ['a'] : []), 'any'];
  return cardV1({ name: `Agent ${i}`, skills: [{ id: 'skill', name: 'Skill', description: 'Does it', tags }] });
}

describe('the embedded store estimates a total', () => {
  it('no lower than the matches its page found, when its sample holds none of them', async () => {
    const store = new MemoryAgentStore(storedCards, TUNING);
    for (let i = 0; i < 100; i++) await store.save(writeOf(`agent-${i}`, card(i)));
    const page = await store.searchTerms({ terms: ['tag:b', 'tag:a'], preferred: [], includeInactive: false, wanted: 2 });
    expect(page.hits.map((hit) => hit.id)).toEqual(['agent-1', 'agent-2']);
    expect(page.totalExact).toBe(false);
    expect(page.total).toBeGreaterThanOrEqual(2);
    await store.close();
  });
});
