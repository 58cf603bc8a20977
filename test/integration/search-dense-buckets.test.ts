import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedCards } from '../../src/agents/stored-cards.js';
import { RedisAgentStore } from '../../src/store/redis-agent-store.js';
import { redisKeys } from '../../src/store/redis-keys.js';
import type { IndexTuning } from '../../src/store/term-layout.js';
import { cardV1 } from '../helpers/cards.js';
import { connect, deleteKeys, PrefixCommands, uniquePrefix } from '../helpers/redis.js';
import { idsMatching, writeOf } from '../helpers/store-backends.js';

/**
 * Dense terms met together: the search script ANDs their bitmaps' bytes bucket by bucket, to list
 * the matches of a page and to count them in the buckets it samples for an estimated total. A bucket
 * is 128 agent numbers (16 bytes) here; a term is dense once it outgrows 16 members while more than
 * half the numbers up to its highest belong to it.
 */
const TUNING: IndexTuning = { bucketWidth: 128, smallTermMax: 16, denseTermShare: 2, walkBudget: 100_000, embeddedWalkBudget: 100_000, bucketVisitCost: 16, checkCost: 2, countBudget: 8, estimateSamples: 2 };

const AGENTS = 300;
const START_MS = Date.parse('2026-01-01T00:00:00Z');
/** The agents that live one second without a heartbeat: two in three. The others live on. */
const expires = (i: number) => i % 3 !== 2;
/** Agent i (number i + 1) has `red` unless i is a multiple of 4, `blue` of 3, `yellow` of 7, and `green` when it is one of 5 (and `any`: a skill has a tag). */
const tagsOf = (i: number) => [
  'any',
  ...(i % 4 !== 0 ? ['red'] : []),
  ...(i % 3 !== 0 ? ['blue'] : []),
  ...(i % 7 !== 0 ? ['yellow'] : []),
  ...(i % 5 === 0 ? ['green'] : []),
];

describe('dense terms searched together: their bytes ANDed bucket by bucket', () => {
  const prefix = uniquePrefix();
  const keys = redisKeys(prefix);
  const redis: Redis = connect();
  const store = new RedisAgentStore(redis, keys, storedCards, () => {}, TUNING);

  /** The ids of the agents with every one of `tags`, in registration (number) order. */
  const expected = (tags: readonly string[]) =>
    Array.from({ length: AGENTS }, (_, i) => i).flatMap((i) => (tags.every((tag) => tagsOf(i).includes(tag)) ? [`agent-${i}`] : []));

  /** The first page of two hits of a search of `terms`: its total, and whether it is exact. */
  async function firstPageTotal(terms: string[]): Promise<{ total: number; exact: boolean }> {
    const page = await store.searchTerms({ terms, preferred: [], includeInactive: true, wanted: 2 });
    return { total: page.total, exact: page.totalExact };
  }

  beforeAll(async () => {
    await store.checkLayout();
    for (let i = 0; i < AGENTS; i++) {
      const card = cardV1({ name: `Agent ${i}`, skills: [{ id: `skill-${i}`, name: 'Skill', description: 'Does it', tags: tagsOf(i) }] });
      // Deadlines in number order, so that the agents that expire (the last test) join their term in that order.
      await store.save(writeOf(`agent-${i}`, card, new Date(START_MS + i).toISOString(), { ttlSeconds: expires(i) ? 1 : 0 }));
    }
  }, 60_000);

  afterAll(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('keeps `tag:red`, `tag:blue` and `tag:yellow` as bitmaps and `tag:green` in buckets (the layout under test)', async () => {
    for (const tag of ['red', 'blue', 'yellow']) expect(Number(await redis.get(`${prefix}large:tag:${tag}`))).toBeLessThan(0);
    expect(Number(await redis.get(`${prefix}large:tag:green`))).toBeGreaterThan(0);
  });

  it('lists the agents in every one of two or three dense terms, and with a bucketed one, in order', async () => {
    expect(await idsMatching(store, ['tag:red', 'tag:blue'])).toEqual(expected(['red', 'blue']));
    expect(await idsMatching(store, ['tag:red', 'tag:blue', 'tag:yellow'])).toEqual(expected(['red', 'blue', 'yellow']));
    expect(await idsMatching(store, ['tag:red', 'tag:blue', 'tag:green'])).toEqual(expected(['red', 'blue', 'green']));
  });

  it('estimates the total from the matches in the sampled buckets, counted from their ANDed bytes', async () => {
    // The rarest term's (`blue`'s) buckets sampled, evenly spread over the three that numbers 1-300
    // span: buckets 0 and 2, numbers 0-127 and 256-383 (agents 0-126 and 255-299).
    const inSampledBucket = (i: number) => i + 1 <= 127 || i + 1 >= 256;
    const sampledWith = (tags: readonly string[]) => expected(tags).filter((id) => inSampledBucket(Number(id.slice('agent-'.length)))).length;
    for (const tags of [['red', 'blue'], ['red', 'blue', 'yellow']]) {
      const { total, exact } = await firstPageTotal(tags.map((tag) => `tag:${tag}`));
      expect(exact).toBe(false);
      expect(total).toBe(Math.round((expected(['blue']).length * sampledWith(tags)) / sampledWith(['blue'])));
    }
  });

  it('answers a recent estimate given with the search instead of sampling, never below the page, and counts where counting is cheap', async () => {
    const watch = await PrefixCommands.watch(redis, prefix);
    try {
      const search = { terms: ['tag:red', 'tag:blue'], preferred: [], includeInactive: true, wanted: 2 };
      const bitmapReads = (commands: string[][]) => commands.filter(([, key]) => key?.startsWith(`${prefix}bits:`)).length;
      const sampled = await watch.during(() => store.searchTerms(search));
      const given = await watch.during(() => store.searchTerms({ ...search, estimate: 4321 }));
      expect(given.result).toMatchObject({ total: 4321, totalExact: false });
      expect(given.result.hits).toEqual(sampled.result.hits);
      // The two sampled buckets' reads of both bitmaps are gone; the page's own remain.
      expect(bitmapReads(given.commands)).toBeLessThanOrEqual(bitmapReads(sampled.commands) - 4);
      expect(await store.searchTerms({ ...search, estimate: 0 })).toMatchObject({ total: 2, totalExact: false });
      // One term and no inactive agent left out: its count is the total.
      expect(await store.searchTerms({ ...search, terms: ['tag:red'], estimate: 4321 })).toMatchObject({ total: expected(['red']).length, totalExact: true });
    } finally {
      watch.close();
    }
  });

  it('reads a bitmap that stops short of a bucket (grown bit by bit, as an older layout did) as if its missing bytes were zero', async () => {
    const before = { ids: await idsMatching(store, ['tag:red', 'tag:blue']), total: await firstPageTotal(['tag:red', 'tag:blue']) };
    // The members end at number 300, byte 37 of the 1,024 of chunk 0: the bytes after it are zero.
    const chunk = `${prefix}bits:0:tag:blue`;
    const bytes = await redis.getrangeBuffer(chunk, 0, 40);
    expect(bytes.subarray(38).every((byte) => byte === 0)).toBe(true);
    await redis.set(chunk, bytes.subarray(0, 38));
    expect(await redis.strlen(chunk)).toBe(38);
    expect(await idsMatching(store, ['tag:red', 'tag:blue'])).toEqual(before.ids);
    expect(await firstPageTotal(['tag:red', 'tag:blue'])).toEqual(before.total);
    expect(before.ids).toEqual(expected(['red', 'blue']));
  });

  it('leaves out the inactive agents, a dense term of their own, from the sampled buckets\' count', async () => {
    await store.expireDue(new Date(START_MS + 10_000), 1000, 3_600_000);
    expect(Number(await redis.get(`${prefix}large:status:inactive`))).toBeLessThan(0);
    const inSampledBucket = (i: number) => i + 1 <= 127 || i + 1 >= 256;
    const sampled = (test: (i: number) => boolean) => Array.from({ length: AGENTS }, (_, i) => i).filter((i) => inSampledBucket(i) && test(i)).length;
    const both = (i: number) => tagsOf(i).includes('red') && tagsOf(i).includes('yellow');
    const page = await store.searchTerms({ terms: ['tag:red', 'tag:yellow'], preferred: [], includeInactive: false, wanted: 2 });
    expect(page.hits.map((hit) => hit.id)).toEqual(expected(['red', 'yellow']).filter((id) => !expires(Number(id.slice('agent-'.length)))).slice(0, 2));
    expect(page.totalExact).toBe(false);
    expect(page.total).toBe(Math.round((expected(['red']).length * sampled((i) => both(i) && !expires(i))) / sampled((i) => tagsOf(i).includes('red'))));
  });
});
