import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedCards } from '../../src/agents/stored-cards.js';
import type { SearchHit } from '../../src/store/agent-store.js';
import { RedisAgentStore } from '../../src/store/redis-agent-store.js';
import { redisKeys } from '../../src/store/redis-keys.js';
import type { IndexTuning } from '../../src/store/term-layout.js';
import { cardV1 } from '../helpers/cards.js';
import { deleteKeys, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { searchAll, writeOf } from '../helpers/store-backends.js';

/**
 * A small term's set is an intset (members in ascending order) while it has at most Redis's
 * `set-max-intset-entries` members, and a hashtable (in no order) past that. With a small-term
 * limit above any such setting, one term below and one above it must page alike: every member once,
 * ascending, from the first page and from a cursor.
 */
const AGENTS = 1100;
const TUNING: IndexTuning = { bucketWidth: 2048, smallTermMax: 2048, denseTermShare: 0, walkBudget: 100_000, embeddedWalkBudget: 100_000, bucketVisitCost: 16, checkCost: 2, countBudget: 64, estimateSamples: 2 };

describe('a small term pages in agent order whether Redis keeps its set as an intset or a hashtable', () => {
  const prefix = uniquePrefix();
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
  const keys = redisKeys(prefix);
  const store = new RedisAgentStore(redis, keys, storedCards, () => {}, TUNING);

  beforeAll(async () => {
    await store.checkLayout();
    for (let i = 0; i < AGENTS; i++) {
      const skills = [{ id: 'every', name: 'Every', description: 'Every agent', tags: ['all'] }];
      if (i % 20 === 3) skills.push({ id: 'some', name: 'Some', description: 'Some agents', tags: ['few'] });
      await store.save(writeOf(`agent-${i}`, cardV1({ name: `Agent ${i}`, skills })));
    }
  }, 60_000);

  afterAll(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  const numbersOf = (hits: SearchHit[]) => hits.map((hit) => hit.position.agentNumber);
  const ascending = (numbers: number[]) => numbers.every((number, i) => i === 0 || number > (numbers[i - 1] as number));

  it.each([
    ['intset', 'skill:some', AGENTS / 20],
    ['hashtable', 'skill:every', AGENTS],
  ])('kept as %s', async (encoding, term, members) => {
    expect(await redis.object('ENCODING', keys.smallTermPrefix + term)).toBe(encoding);
    const all = numbersOf(await searchAll(store, { terms: [term], preferred: [], includeInactive: true }, 7));
    expect(all).toHaveLength(members);
    expect(ascending(all)).toBe(true);

    const middle = all[Math.floor(members / 2)] as number;
    const page = await store.searchTerms({ terms: [term], preferred: [], includeInactive: true, wanted: 5, after: { tier: 0, agentNumber: middle } });
    expect(numbersOf(page.hits)).toEqual(all.filter((number) => number > middle).slice(0, 5));
    expect(page.total).toBe(members);
  });
});
