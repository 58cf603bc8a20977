import { describe, expect, it } from 'vitest';
import { storedCards } from '../../src/agents/stored-cards.js';
import { parseSearchCriteria } from '../../src/search/search-criteria.js';
import { SearchService } from '../../src/search/search-service.js';
import type { TermSearchPage } from '../../src/store/agent-store.js';
import { MemoryAgentStore } from '../../src/store/memory-agent-store.js';
import { DEFAULT_INDEX_TUNING } from '../../src/store/term-layout.js';
import { cardV1 } from '../helpers/cards.js';
import { startRegistry } from '../helpers/registry-server.js';
import { writeOf } from '../helpers/store-backends.js';

describe('what a search page cost, as metrics see it', () => {
  it('tells the observer the work of each filtered page, and when the walk spent its budget', async () => {
    const store = new MemoryAgentStore(storedCards, { ...DEFAULT_INDEX_TUNING, embeddedWalkBudget: 10 });
    for (let i = 0; i < 30; i++) {
      await store.save(writeOf(`agent-${i}`, cardV1({ name: `Agent ${i} ${i % 2 === 0 ? 'even' : 'odd'}`, capabilities: { streaming: i % 2 === 0 } })));
    }
    const seen: TermSearchPage[] = [];
    const search = new SearchService(store, 8 * 1024 * 1024, (page) => seen.push(page));
    await search.search(parseSearchCriteria({ limit: '5' }));
    expect(seen).toEqual([]);
    await search.search(parseSearchCriteria({ streaming: 'true', limit: '5' }));
    expect(seen.at(-1)).toMatchObject({ work: 6, total: 15, totalExact: true });
    expect(seen.at(-1)?.stoppedAt).toBeUndefined();
    // No streaming agent is odd: the walk through the fifteen streaming ones stops at ten.
    const none = await search.search(parseSearchCriteria({ streaming: 'true', q: 'odd', limit: '5' }));
    expect(none.records).toEqual([]);
    expect(seen.at(-1)).toMatchObject({ work: 10, stoppedAt: { tier: 0 } });
  });

  it('exports them on /metrics', async () => {
    const running = await startRegistry();
    try {
      await fetch(`${running.baseUrl}/agents?skill=forecast`);
      const text = await (await fetch(`${running.baseUrl}/metrics`)).text();
      expect(text).toMatch(/^a2a_search_candidates_examined_count 1$/m);
      expect(text).toMatch(/^a2a_search_budget_stops_total 0$/m);
      expect(text).toMatch(/^a2a_search_estimated_totals_total 0$/m);
      // The embedded store walks one search at a time anyway: no search waits for a turn.
      expect(text).toMatch(/^a2a_search_turn_wait_seconds_count 0$/m);
      expect(text).toMatch(/^a2a_search_turns_refused_total 0$/m);
      expect(text).toMatch(/^a2a_search_turns_waiting 0$/m);
    } finally {
      await running.close();
    }
  });
});
