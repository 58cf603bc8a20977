import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedCards } from '../../src/agents/stored-cards.js';
import type { TermSearch } from '../../src/store/agent-store.js';
import { RedisAgentStore } from '../../src/store/redis-agent-store.js';
import { redisKeys } from '../../src/store/redis-keys.js';
import type { IndexTuning } from '../../src/store/term-layout.js';
import { cardV1 } from '../helpers/cards.js';
import { connect, deleteKeys, PrefixCommands, uniquePrefix } from '../helpers/redis.js';
import { searchAll, writeOf } from '../helpers/store-backends.js';

/**
 * How the search script checks a small term's members against a dense term (a bitmap per chunk of
 * 128 × 64 = 8,192 agent numbers, 1,024 bytes, here): candidates close together by one range of
 * bytes, a few far apart by their bits, eight or more across much of a chunk by reading the chunk
 * whole, once per search, whichever tier or run of candidates asks again. Agent numbers are spread
 * by moving the store's number counter on, as thousands of registrations deleted since would.
 */
const TUNING: IndexTuning = { bucketWidth: 128, smallTermMax: 16, denseTermShare: 2, walkBudget: 100_000, embeddedWalkBudget: 100_000, bucketVisitCost: 16, checkCost: 2, countBudget: 64, estimateSamples: 2 };

/** An agent of the test: its id, its skill, and whether its name has the word "alpha". */
interface Agent {
  id: string;
  skill: string;
  alpha: boolean;
}

/** Two in three agents have the tag `common`, which is dense once it outgrows its set. */
const hasCommon = (i: number) => i % 3 !== 0;

function cardOf(i: number, agent: Agent): Record<string, unknown> {
  return cardV1({
    name: `Agent ${agent.alpha ? 'alpha' : 'beta'}`,
    description: 'Serves the tests',
    skills: [{ id: agent.skill, name: 'Skill', description: 'Does it', tags: hasCommon(i) ? ['common'] : ['other'] }],
  });
}

describe('dense terms checked against a small term: the same matches whichever way the bits are read', () => {
  const prefix = uniquePrefix();
  const keys = redisKeys(prefix);
  const redis: Redis = connect();
  const store = new RedisAgentStore(redis, keys, storedCards, () => {}, TUNING);
  let watch: PrefixCommands;
  /** Agent index -> agent, in registration (number) order. */
  const agents: Agent[] = [];

  /**
   * Registers agents `from` to `to` - 1 with `skillOf(i)`, the first as number `firstNumber` and
   * each next `spacing` numbers on, by moving the number counter on before each.
   */
  async function register(from: number, to: number, firstNumber: number, skillOf: (i: number) => string, alpha: (i: number) => boolean, spacing = 1): Promise<void> {
    for (let i = from; i < to; i++) {
      const number = firstNumber + (i - from) * spacing;
      const current = Number((await redis.get(keys.agentNumbers)) ?? 0);
      if (number - 1 > current) await redis.incrby(keys.agentNumbers, number - 1 - current);
      const agent = { id: `agent-${i}`, skill: skillOf(i), alpha: alpha(i) };
      agents[i] = agent;
      await store.save(writeOf(agent.id, cardOf(i, agent)));
    }
  }

  /** The ids of the agents with `skill` and the tag `common`: those with "alpha" in their name first when `preferAlpha`. */
  function expected(skill: string, preferAlpha: boolean): string[] {
    const matching = agents.flatMap((agent, i) => (agent.skill === skill && hasCommon(i) ? [agent] : []));
    const ordered = preferAlpha ? [...matching.filter((a) => a.alpha), ...matching.filter((a) => !a.alpha)] : matching;
    return ordered.map((agent) => agent.id);
  }

  /** Every hit of `search`, and the commands of the search script on the chunk keys of `tag:common`. */
  async function searched(search: Omit<TermSearch, 'after' | 'wanted' | 'includeInactive'>): Promise<{ ids: string[]; chunkReads: string[][] }> {
    const { result: hits, commands } = await watch.during(() => searchAll(store, { ...search, includeInactive: true }));
    const chunkReads = commands.filter(([, key]) => key?.startsWith(`${prefix}bits:`) && key.endsWith(':tag:common'));
    return { ids: hits.map((hit) => hit.id), chunkReads };
  }

  beforeAll(async () => {
    await store.checkLayout();
    watch = await PrefixCommands.watch(redis, prefix);
    // Numbers 1-30 in chunk 0: number 2 of skill `pair`, 11-20 (bytes 1 and 2) of skill `near`, the others `filler`.
    await register(0, 30, 1, (i) => (i === 1 ? 'pair' : i >= 10 && i < 20 ? 'near' : 'filler'), () => false);
    // Numbers 5001-5002 far on in chunk 0: 5002 of skill `pair` too.
    await register(30, 32, 5001, (i) => (i === 31 ? 'pair' : 'filler'), () => false);
    // Numbers 9001-12301 across chunk 1, 300 apart: skill `many`, all but two with "alpha" in their name.
    await register(32, 44, 9001, () => 'many', (i) => i < 42, 300);
  }, 60_000);

  afterAll(async () => {
    watch?.close();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('keeps `tag:common` as a bitmap in two chunks (the layout under test)', async () => {
    expect(Number(await redis.get(`${prefix}large:tag:common`))).toBeLessThan(0);
    expect(await redis.strlen(`${prefix}bits:0:tag:common`)).toBe(1024);
    expect(await redis.strlen(`${prefix}bits:1:tag:common`)).toBe(1024);
  });

  it('checks candidates close together with one range of bytes, however many', async () => {
    const { ids, chunkReads } = await searched({ terms: ['skill:near', 'tag:common'], preferred: [] });
    expect(ids).toEqual(expected('near', false));
    expect(ids.length).toBeGreaterThan(0);
    expect(chunkReads.map((args) => args[0]?.toLowerCase())).toEqual(['getrange']);
  });

  it('checks a few candidates far apart in one chunk by their bits, with one command', async () => {
    const { ids, chunkReads } = await searched({ terms: ['skill:pair', 'tag:common'], preferred: [] });
    expect(ids).toEqual(expected('pair', false));
    expect(ids.length).toBeGreaterThan(0);
    expect(chunkReads).toEqual([['bitfield_ro', `${prefix}bits:0:tag:common`, 'GET', 'u1', '2', 'GET', 'u1', '5002']]);
  });

  it('reads a chunk whole for eight or more candidates across a quarter of it or more, once for both tiers that check them', async () => {
    // "alpha" has a prefix term, which holds the cards with the word whole, as a search asks for it.
    const { ids, chunkReads } = await searched({ terms: ['skill:many', 'tag:common'], preferred: ['npre:alpha'] });
    expect(ids).toEqual(expected('many', true));
    expect(ids.at(-1)).toBe('agent-43');
    expect(chunkReads).toEqual([['get', `${prefix}bits:1:tag:common`]]);
  });
});
