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
 * How the search script checks candidates against a small term (one set of at most `smallTermMax`
 * members) that does not drive the walk: a few candidates are asked of Redis, many read the set
 * whole, once. Every term here stays small.
 */
const TUNING: IndexTuning = { bucketWidth: 128, smallTermMax: 128, denseTermShare: 0, walkBudget: 100_000, embeddedWalkBudget: 100_000, bucketVisitCost: 16, checkCost: 2, countBudget: 64, estimateSamples: 2 };

const AGENTS = 100;
/** Agents 50-99 have the tag `common`: 50 members, a small set. */
const hasCommon = (i: number) => i >= 50;
/**
 * Each agent's skill: `rare` for three (two with `common`), `lonely` for the first 45 but one and
 * the last five (only those five with `common`), `many` for the others (43 with `common`).
 */
function skillOf(i: number): string {
  if (i === 3 || i === 60 || i === 77) return 'rare';
  return i < 45 || i >= 95 ? 'lonely' : 'many';
}

describe('small terms checked against a walk: a few candidates asked, many read the set once', () => {
  const prefix = uniquePrefix();
  const keys = redisKeys(prefix);
  const redis: Redis = connect();
  const store = new RedisAgentStore(redis, keys, storedCards, () => {}, TUNING);
  const commonKey = `${prefix}idx:tag:common`;
  let watch: PrefixCommands;

  /** The ids of the agents with `skill` and the tag `common`, in registration order. */
  const expected = (skill: string) =>
    Array.from({ length: AGENTS }, (_, i) => i).flatMap((i) => (skillOf(i) === skill && hasCommon(i) ? [`agent-${i}`] : []));

  /** The commands of `run` that read members of the set of `tag:common` (its size aside), lower-cased, with their arguments. */
  async function commonReads<T>(run: () => Promise<T>): Promise<{ result: T; reads: string[][] }> {
    const { result, commands } = await watch.during(run);
    return { result, reads: commands.filter(([command, key]) => key === commonKey && command !== 'scard') };
  }

  const search = (skill: string): Omit<TermSearch, 'after' | 'wanted'> => ({ terms: [`skill:${skill}`, 'tag:common'], preferred: [], includeInactive: true });

  beforeAll(async () => {
    await store.checkLayout();
    watch = await PrefixCommands.watch(redis, prefix);
    for (let i = 0; i < AGENTS; i++) {
      const tags = hasCommon(i) ? ['common'] : ['other'];
      await store.save(writeOf(`agent-${i}`, cardV1({ name: `Agent ${i}`, description: 'Serves the tests', skills: [{ id: skillOf(i), name: 'Skill', description: 'Does it', tags }] })));
    }
  }, 60_000);

  afterAll(async () => {
    watch?.close();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('keeps `tag:common` as one set of 50 members (the layout under test)', async () => {
    expect(await redis.scard(commonKey)).toBe(50);
    expect(await redis.get(`${prefix}large:tag:common`)).toBeNull();
  });

  it('asks for a few candidates with one command and never reads the set', async () => {
    const { result, reads } = await commonReads(() => searchAll(store, search('rare')));
    expect(result.map((hit) => hit.id)).toEqual(expected('rare'));
    expect(result).toHaveLength(2);
    expect(reads).toEqual([['smismember', commonKey, '4', '61', '78']]);
  });

  it('reads the set whole, once, for candidates as many as half its members', async () => {
    const { result, reads } = await commonReads(() => searchAll(store, search('many')));
    expect(result.map((hit) => hit.id)).toEqual(expected('many'));
    expect(result).toHaveLength(43);
    expect(reads).toEqual([['smembers', commonKey]]);
  });

  it('asks while the candidates asked stay under half its members, then reads the set once', async () => {
    // A page of one: the walk takes the driver's 45 members a few at a time, and only the last five match.
    const { result, reads } = await commonReads(() => store.searchTerms({ ...search('lonely'), wanted: 1 }));
    expect(result.hits.map((hit) => hit.id)).toEqual(expected('lonely').slice(0, 1));
    const asked = reads.filter(([command]) => command === 'smismember' || command === 'sismember');
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.reduce((sum, args) => sum + args.length - 2, 0) * 2).toBeLessThan(50);
    expect(reads.filter(([command]) => command === 'smembers')).toEqual([['smembers', commonKey]]);
    expect(reads.at(-1)).toEqual(['smembers', commonKey]);
  });
});
