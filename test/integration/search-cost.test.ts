import { storedCards } from '../../src/agents/stored-cards.js';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentStore, TermSearch } from '../../src/store/agent-store.js';
import { MemoryAgentStore } from '../../src/store/memory-agent-store.js';
import { RedisAgentStore } from '../../src/store/redis-agent-store.js';
import { redisKeys } from '../../src/store/redis-keys.js';
import type { IndexTuning } from '../../src/store/term-layout.js';
import { cardV1 } from '../helpers/cards.js';
import { deleteKeys, monitorCaughtUp, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { writeOf } from '../helpers/store-backends.js';

/**
 * The cost of one search page must not grow with the catalogue or the matches. With buckets of 32
 * numbers, 2,000 agents fill 63 buckets, so every shape below runs against large terms; each is
 * measured at 200 and at 2,000 agents, in Redis commands (MONITOR, on a database of its own, the
 * commands inside the script included) and in the work the store reports.
 */
const DB = 12;
const TUNING: IndexTuning = { bucketWidth: 32, smallTermMax: 32, denseTermShare: 0, walkBudget: 512, embeddedWalkBudget: 512, bucketVisitCost: 16, checkCost: 2, countBudget: 64, estimateSamples: 2 };

/** Agent `i`: every one takes text/plain, one in ten is tagged `tenth`, one in 500 has the skill `rare`; the name words differ. */
function card(i: number): Record<string, unknown> {
  return cardV1({
    name: `Agent ${i} ${i % 2 === 0 ? 'even' : 'odd'}`,
    description: `Common words for every agent ${i % 3 === 0 ? 'triple' : ''}`,
    defaultInputModes: ['text/plain'],
    capabilities: { streaming: i % 2 === 0, pushNotifications: false },
    skills: [{ id: i % 500 === 7 ? 'rare' : `skill-${i % 40}`, name: 'Skill', description: 'Does it', tags: i % 10 === 0 ? ['tenth'] : ['plain'] }],
  });
}

// Words as a search sends them: one of 3 to 10 letters by its prefix term, which holds the cards with it whole.
const SHAPES: Record<string, Omit<TermSearch, 'wanted' | 'includeInactive'>> = {
  'a filter every agent matches': { terms: ['in:text/plain'], preferred: [] },
  'a filter a tenth match': { terms: ['tag:tenth'], preferred: [] },
  'a word in every card': { terms: ['pre:common'], preferred: ['npre:common'] },
  'two broad filters': { terms: ['in:text/plain', 'streaming:true'], preferred: [] },
  'a broad filter with a rare word': { terms: ['in:text/plain', 'pre:triple', 'pre:even'], preferred: ['npre:triple', 'npre:even'] },
  'a rare skill': { terms: ['skill:rare'], preferred: [] },
  // Type-ahead: "comm" and "trip"/"eve" begin words of the cards ("common", "triple", "even").
  'a word prefix in every card': { terms: ['pre:comm'], preferred: ['npre:comm'] },
  'a broad filter with a rare word prefix': { terms: ['in:text/plain', 'pre:trip', 'pre:eve'], preferred: ['npre:trip', 'npre:eve'] },
};
/** A shape whose walk finds nothing: among 2,000 agents it must stop at the budget. */
const DISJOINT: TermSearch = { terms: ['streaming:true', 'pre:odd'], preferred: [], includeInactive: false, wanted: 11 };
type Shape = keyof typeof SHAPES;

interface Cost {
  commands: string[];
  work: number;
  hits: number;
}

describe('a search page costs about the same at 200 and at 2,000 agents, whatever it matches', () => {
  const prefix = uniquePrefix();
  const url = new URL(redisUrl());
  url.pathname = `/${DB}`;
  const redis = new Redis(url.toString(), { maxRetriesPerRequest: 1 });
  const store = new RedisAgentStore(redis, redisKeys(prefix), storedCards, () => {}, TUNING);
  const memory = new MemoryAgentStore(storedCards, TUNING);
  let monitor: Redis;
  let window: string[] | undefined;
  /** Each command with its arguments, while a test wants them. */
  let calls: string[][] | undefined;
  const costs: Record<'small' | 'large', Partial<Record<Shape, Cost>>> = { small: {}, large: {} };
  const memoryWork: Record<'small' | 'large', Partial<Record<Shape, number>>> = { small: {}, large: {} };

  const settle = () => monitorCaughtUp(redis, monitor);

  async function measure(size: 'small' | 'large'): Promise<void> {
    for (const [shape, search] of Object.entries(SHAPES) as [Shape, TermSearch][]) {
      await settle();
      window = [];
      const page = await store.searchTerms({ ...search, includeInactive: false, wanted: 11 });
      await settle();
      costs[size][shape] = { commands: window, work: page.work, hits: page.hits.length };
      window = undefined;
      memoryWork[size][shape] = (await memory.searchTerms({ ...search, includeInactive: false, wanted: 11 })).work;
    }
  }

  async function seed(stores: AgentStore[], from: number, to: number): Promise<void> {
    for (let i = from; i < to; i++) await Promise.all(stores.map((s) => s.save(writeOf(`agent-${i}`, card(i)))));
  }

  beforeAll(async () => {
    monitor = await redis.monitor();
    monitor.on('monitor', (_time: string, args: string[], _source: string, database: string) => {
      if (Number(database) === DB && args[0] !== 'echo') {
        window?.push((args[0] ?? '').toLowerCase());
        calls?.push(args.map(String));
      }
    });
    await seed([store, memory], 0, 200);
    await store.searchTerms({ terms: ['in:text/plain'], preferred: [], includeInactive: false, wanted: 1 });
    await measure('small');
    await seed([store, memory], 200, 2000);
    await measure('large');
  }, 120_000);

  afterAll(async () => {
    monitor?.disconnect();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it.each(Object.keys(SHAPES))('%s finds agents at both sizes: a shape that matched none would measure nothing', (shape) => {
    expect(costs.small[shape]?.hits).toBeGreaterThan(0);
    expect(costs.large[shape]?.hits).toBeGreaterThan(0);
  });

  it('the catalogue has large terms split into buckets (the layout under test)', async () => {
    expect(Number(await redis.get(`${prefix}large:in:text/plain`))).toBe(2000);
    expect(await redis.exists(`${prefix}idx:in:text/plain`)).toBe(0);
    expect(await redis.scard(`${prefix}bkt:0:in:text/plain`)).toBe(31);
  });

  it.each(Object.keys(SHAPES) as Shape[])('%s: the same commands, and no more work, with ten times the agents', (shape) => {
    const small = costs.small[shape] as Cost;
    const large = costs.large[shape] as Cost;
    expect(small.commands[0]).toBe('evalsha');
    // Two more buckets of slack: a page may end a little further on among more agents.
    expect(large.commands.length).toBeLessThanOrEqual(small.commands.length + 6);
    expect(large.work).toBeLessThanOrEqual(Math.max(small.work, TUNING.walkBudget) + TUNING.bucketWidth + TUNING.bucketVisitCost);
    expect(memoryWork.large[shape]).toBeLessThanOrEqual(TUNING.embeddedWalkBudget);
  });

  it.each([
    ['a word prefix in every card', 'a word in every card'],
    ['a broad filter with a rare word prefix', 'a broad filter with a rare word'],
  ] as [Shape, Shape][])('%s costs the Redis commands and work that %s does: a set intersection like it', (prefix, word) => {
    const byPrefix = costs.large[prefix] as Cost;
    const byWord = costs.large[word] as Cost;
    expect(byPrefix.hits).toBe(byWord.hits);
    expect(byPrefix.commands.length).toBeLessThanOrEqual(byWord.commands.length + 2);
    expect(byPrefix.work).toBeLessThanOrEqual(byWord.work + TUNING.bucketWidth + TUNING.bucketVisitCost);
  });

  it('a broad filter costs about what a rare one does: a bucket or two for a full page', () => {
    const broad = costs.large['a filter every agent matches'] as Cost;
    expect(broad.hits).toBe(11);
    expect(broad.work).toBeLessThanOrEqual(2 * (TUNING.bucketWidth + TUNING.bucketVisitCost));
    expect(memoryWork.large['a filter every agent matches']).toBeLessThanOrEqual(11);
  });

  it('a page that starts near the end of a dense bucket checks the rest of it one by one instead of reading the bucket', async () => {
    // Bucket 10 holds numbers 320 to 351: after 345, six are left in it.
    const after = { tier: 0, agentNumber: 345 };
    await settle();
    calls = [];
    const page = await store.searchTerms({ terms: ['in:text/plain'], preferred: [], includeInactive: false, wanted: 11, after });
    await settle();
    const sent = calls.map(([name, ...args]) => [(name ?? '').toLowerCase(), ...args]);
    calls = undefined;
    expect(page.hits.map((hit) => hit.position.agentNumber)).toEqual([346, 347, 348, 349, 350, 351, 352, 353, 354, 355, 356]);
    const bucket10 = sent.filter(([, key]) => key === `${prefix}bkt:10:in:text/plain`);
    expect(bucket10.map(([name]) => name)).toEqual(['smismember']);
    expect(bucket10[0]?.slice(2)).toEqual(['346', '347', '348', '349', '350', '351']);
    // The next bucket is needed from its start, so it is read whole, once.
    expect(sent.filter(([name]) => name === 'smembers' || name === 'sinter')).toEqual([['smembers', `${prefix}bkt:11:in:text/plain`]]);
    expect(await memory.searchTerms({ terms: ['in:text/plain'], preferred: [], includeInactive: false, wanted: 11, after })).toMatchObject({ hits: page.hits });
  });

  it('a term whose buckets are mostly empty is read many buckets to a command, not a command a bucket', async () => {
    // skill-7 is one agent in 40, under one a bucket: its buckets are read with one SUNION, as many
    // as the walk budget pays visits for (32 of the 63), and they hold the page.
    const search: TermSearch = { terms: ['skill:skill-7'], preferred: [], includeInactive: false, wanted: 11 };
    await settle();
    calls = [];
    const page = await store.searchTerms(search);
    await settle();
    const sent = calls.map(([name, ...args]) => [(name ?? '').toLowerCase(), ...args]);
    calls = undefined;
    const reads = sent.filter(([name]) => ['smembers', 'sunion', 'sinter', 'smismember', 'sismember'].includes(name as string));
    expect(reads.map(([name]) => name)).toEqual(['sunion']);
    expect(reads[0]?.length).toBe(1 + TUNING.walkBudget / TUNING.bucketVisitCost);
    expect(page.hits).toHaveLength(11);
    expect(page.stoppedAt).toBeUndefined();
    expect(await memory.searchTerms(search)).toMatchObject({ hits: page.hits });
    // The next page goes on after the last hit, reading from its bucket on.
    const next = await store.searchTerms({ ...search, after: page.hits.at(-1)?.position });
    expect(next.hits.map((hit) => hit.position.agentNumber)).toEqual((await memory.searchTerms({ ...search, after: page.hits.at(-1)?.position })).hits.map((hit) => hit.position.agentNumber));
    expect(next.hits[0]?.position.agentNumber).toBeGreaterThan(page.hits.at(-1)?.position.agentNumber ?? Infinity);
  });

  it('two filters no agent has together stop at the budget instead of walking every bucket, and say where', async () => {
    await settle();
    window = [];
    const none = await store.searchTerms(DISJOINT);
    await settle();
    const commands = window;
    window = undefined;
    expect(none.hits).toEqual([]);
    expect(none.stoppedAt).toEqual({ tier: 0, agentNumber: expect.any(Number) });
    expect(none.work).toBeLessThanOrEqual(TUNING.walkBudget + TUNING.bucketWidth + TUNING.bucketVisitCost);
    // Each bucket visited costs at least the visit, so the walk saw at most budget / visit cost buckets of 63.
    expect(commands.filter((c) => c === 'sinter').length).toBeLessThanOrEqual(TUNING.walkBudget / TUNING.bucketVisitCost);
    // Terms this sparse together cannot fill a page from part of a bucket: their buckets are
    // intersected without first counting each term's members there. What is counted: the
    // inactive and deprecated terms, and the buckets the total's estimate samples.
    expect(commands.filter((c) => c === 'scard').length).toBeLessThanOrEqual(2 + TUNING.estimateSamples);
    const memoryPage = await memory.searchTerms(DISJOINT);
    expect(memoryPage).toMatchObject({ hits: [], stoppedAt: { tier: 0 } });
    expect(memoryPage.work).toBeLessThanOrEqual(TUNING.embeddedWalkBudget);
  });
});
