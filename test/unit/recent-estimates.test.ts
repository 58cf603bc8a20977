import { describe, expect, it } from 'vitest';
import { storedCards } from '../../src/agents/stored-cards.js';
import { RecentEstimates } from '../../src/search/recent-estimates.js';
import { parseSearchCriteria } from '../../src/search/search-criteria.js';
import { SearchService } from '../../src/search/search-service.js';
import type { TermSearch, TermSearchPage } from '../../src/store/agent-store.js';
import { MemoryAgentStore } from '../../src/store/memory-agent-store.js';
import { DEFAULT_INDEX_TUNING } from '../../src/store/term-layout.js';
import { cardV1 } from '../helpers/cards.js';
import { writeOf } from '../helpers/store-backends.js';

describe('recent estimates', () => {
  it('are kept by their terms in any order, inactive agents in or out, until their time is up', () => {
    let now = 1000;
    const estimates = new RecentEstimates({ ttlMs: 5000, now: () => now });
    const key = RecentEstimates.keyOf(['tag:a', 'in:text/plain'], false);
    expect(RecentEstimates.keyOf(['in:text/plain', 'tag:a'], false)).toBe(key);
    expect(RecentEstimates.keyOf(['in:text/plain', 'tag:a'], true)).not.toBe(key);
    expect(estimates.get(key)).toBeUndefined();
    estimates.keep(key, 420);
    now += 4999;
    expect(estimates.get(key)).toBe(420);
    now += 1;
    expect(estimates.get(key)).toBeUndefined();
  });

  it('keep at most their number, dropping the oldest kept first', () => {
    const estimates = new RecentEstimates({ maxEntries: 2 });
    estimates.keep('a', 1);
    estimates.keep('b', 2);
    estimates.keep('c', 3);
    expect([estimates.get('a'), estimates.get('b'), estimates.get('c')]).toEqual([undefined, 2, 3]);
  });
});

describe('a search page and the estimate of an earlier page of the same terms', () => {
  /** 120 agents, every other one streaming, every third one in the filter's binding: the two meet in 20. */
  async function storeOfAgents(): Promise<MemoryAgentStore> {
    // A count budget of 4: the driver's 40 JSONRPC agents are too many to count, so the total is estimated.
    const store = new MemoryAgentStore(storedCards, { ...DEFAULT_INDEX_TUNING, countBudget: 4, estimateSamples: 4 });
    for (let i = 0; i < 120; i++) {
      const binding = i % 3 === 0 ? 'JSONRPC' : 'GRPC';
      const card = cardV1({ name: `Agent ${i}`, capabilities: { streaming: i % 2 === 0 }, supportedInterfaces: [{ url: `https://a${i}.example.com/a2a`, protocolBinding: binding, protocolVersion: '1.0' }] });
      await store.save(writeOf(`agent-${i}`, card));
    }
    return store;
  }

  it('hands the first page\'s estimated total to the next pages for a few seconds, then estimates anew', async () => {
    const store = await storeOfAgents();
    const asked: TermSearch[] = [];
    const spy = Object.assign(Object.create(store) as MemoryAgentStore, {
      searchTerms: (search: TermSearch): Promise<TermSearchPage> => {
        asked.push(search);
        return store.searchTerms(search);
      },
    });
    let now = 0;
    const search = new SearchService(spy, 8 * 1024 * 1024, () => {}, undefined, new RecentEstimates({ ttlMs: 5000, now: () => now }));
    const criteria = { streaming: 'true', binding: 'JSONRPC', limit: '3' };
    const first = await search.search(parseSearchCriteria(criteria));
    expect(first.totalExact).toBe(false);
    expect(asked.at(-1)?.estimate).toBeUndefined();

    const second = await search.search(parseSearchCriteria({ ...criteria, cursor: first.nextCursor as string }));
    expect(asked.at(-1)?.estimate).toBe(first.total);
    expect(second).toMatchObject({ total: first.total, totalExact: false });
    // The same terms in another search (a larger page) answer it too; inactive agents in is another search.
    await search.search(parseSearchCriteria({ ...criteria, limit: '10' }));
    expect(asked.at(-1)?.estimate).toBe(first.total);
    await search.search(parseSearchCriteria({ ...criteria, include_inactive: 'true' }));
    expect(asked.at(-1)?.estimate).toBeUndefined();

    now += 5000;
    await search.search(parseSearchCriteria({ ...criteria, cursor: first.nextCursor as string }));
    expect(asked.at(-1)?.estimate).toBeUndefined();
  });

  it('is what the store answers where it would estimate, never below the page, and never in place of a count', async () => {
    const store = await storeOfAgents();
    const both = { terms: ['streaming:true', 'binding:jsonrpc'], preferred: [], includeInactive: true, wanted: 3 };
    expect(await store.searchTerms({ ...both, estimate: 777 })).toMatchObject({ total: 777, totalExact: false });
    expect(await store.searchTerms({ ...both, estimate: 0 })).toMatchObject({ total: 3, totalExact: false });
    // One term: its size is the count.
    expect(await store.searchTerms({ ...both, terms: ['binding:jsonrpc'], estimate: 777 })).toMatchObject({ total: 40, totalExact: true });
  });
});
