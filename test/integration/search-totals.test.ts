import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedCards } from '../../src/agents/stored-cards.js';
import type { TermSearch } from '../../src/store/agent-store.js';
import { RedisAgentStore } from '../../src/store/redis-agent-store.js';
import { redisKeys } from '../../src/store/redis-keys.js';
import type { IndexTuning } from '../../src/store/term-layout.js';
import { cardV1 } from '../helpers/cards.js';
import { connect, deleteKeys, uniquePrefix } from '../helpers/redis.js';
import { TEST_OWNER, writeOf } from '../helpers/store-backends.js';

/**
 * The total a Redis search answers when its rarest term is a sparse large one: a skill held by one
 * agent in 31, in buckets of 32 agent numbers, about one member a bucket, which a walk reads many
 * buckets to a command. A third of its agents have the tag it is searched with, which is common
 * enough to be kept as a bitmap. Counting the matches exactly is past the count budget, so the
 * total comes from what the walk saw of the skill's members, or exactly when it saw all of them.
 */
const TUNING: IndexTuning = { bucketWidth: 32, smallTermMax: 32, denseTermShare: 4, walkBudget: 4096, embeddedWalkBudget: 4096, bucketVisitCost: 16, checkCost: 2, countBudget: 16, estimateSamples: 2 };
const AGENTS = 3000;
const hasSkill = (i: number) => i % 31 === 0;
const hasTag = (i: number) => i % 3 === 0;
/** Half of the skill's agents are deprecated by their owners: searches rank them after the others. */
const deprecated = (i: number) => i % 62 === 0;
const MATCHES = Array.from({ length: AGENTS }, (_, i) => i).filter((i) => hasSkill(i) && hasTag(i));

function card(i: number): Record<string, unknown> {
  return cardV1({
    name: `Agent ${i}`,
    skills: [{ id: hasSkill(i) ? 'sparse' : `skill-${i % 5}`, name: 'Skill', description: 'Does it', tags: [hasTag(i) ? 'third' : 'other'] }],
  });
}

const SEARCH: Omit<TermSearch, 'wanted'> = { terms: ['skill:sparse', 'tag:third'], preferred: [], includeInactive: false };

describe('the total of a search driven by a sparse large term', () => {
  const prefix = uniquePrefix();
  const redis = connect();
  const store = new RedisAgentStore(redis, redisKeys(prefix), storedCards, () => {}, TUNING);

  beforeAll(async () => {
    await store.checkLayout();
    for (let i = 0; i < AGENTS; i++) await store.save(writeOf(`agent-${i}`, card(i)));
    for (let i = 0; i < AGENTS; i += 62) await store.setLifecycle(`agent-${i}`, { status: 'deprecated', now: new Date(), actor: TEST_OWNER });
  }, 120_000);

  afterAll(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('keeps the layout under test: the skill in buckets, the tag as a bitmap', async () => {
    expect(Number(await redis.get(`${prefix}large:skill:sparse`))).toBeGreaterThan(0);
    expect(Number(await redis.get(`${prefix}large:tag:third`))).toBeLessThan(0);
  });

  it('is estimated from the skill members the walk examined when the page fills, within a quarter of the matches', async () => {
    const page = await store.searchTerms({ ...SEARCH, wanted: 8 });
    expect(page.hits).toHaveLength(8);
    expect(page.totalExact).toBe(false);
    expect(page.total).toBeGreaterThanOrEqual(MATCHES.length * 0.75);
    expect(page.total).toBeLessThanOrEqual(MATCHES.length * 1.25);
    // The next page's walk, from where the first stopped, estimates as well.
    const next = await store.searchTerms({ ...SEARCH, wanted: 8, after: page.hits.at(-1)?.position });
    expect(next.total).toBeGreaterThanOrEqual(MATCHES.length * 0.75);
    expect(next.total).toBeLessThanOrEqual(MATCHES.length * 1.25);
  });

  it('is exact when the walk saw every member of the skill, though the page filled with deprecated matches after them', async () => {
    const active = MATCHES.filter((i) => !deprecated(i)).length;
    const page = await store.searchTerms({ ...SEARCH, wanted: active + 2 });
    expect(page.hits.map((hit) => hit.position.tier)).toEqual([...Array(active).fill(0), 1, 1]);
    expect(page).toMatchObject({ total: MATCHES.length, totalExact: true });
  });
});
