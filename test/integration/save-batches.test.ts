import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { storedCards } from '../../src/agents/stored-cards.js';
import { ConflictError, PreconditionFailedError, WriteOutcomeUnknownError } from '../../src/errors.js';
import { RedisAgentStore } from '../../src/store/redis-agent-store.js';
import { redisKeys } from '../../src/store/redis-keys.js';
import { DEFAULT_INDEX_TUNING, type IndexTuning } from '../../src/store/term-layout.js';
import { cardV1 } from '../helpers/cards.js';
import { connect, deleteKeys, monitorCaughtUp, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { sendJson, startRegistry } from '../helpers/registry-server.js';
import { writeOf } from '../helpers/store-backends.js';

/** Terms grow large after 3 members, in buckets of 8 numbers, dense past 1 in 4: saves of one batch move terms between forms. */
const TINY: IndexTuning = { ...DEFAULT_INDEX_TUNING, bucketWidth: 8, smallTermMax: 3, denseTermShare: 4 };
/** Fields of an agent's hash written with the time of the write. */
const FIELDS_OF_THE_MOMENT = new Set(['createdAt', 'updatedAt', 'pd']);

/** Agent `i`'s card: tags shared by every agent, by every second one and by every fifth, and a host of its own. */
const cardOf = (i: number) =>
  cardV1({
    name: `Agent ${i}`,
    description: `Forecasts for region ${i}`,
    supportedInterfaces: [{ url: `https://agent-${i}.example.com/a2a`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' }],
    skills: [{ id: 'forecast', name: 'Forecast', description: 'Forecasts', tags: ['all', i % 2 === 0 ? 'even' : 'odd', ...(i % 5 === 0 ? ['fifth'] : [])] }],
  });

/** Everything stored under `prefix` but the moment of each write, by key without the prefix. */
async function keySpace(redis: Redis, prefix: string): Promise<Record<string, unknown>> {
  const keys = (await redis.keys(`${prefix}*`)).map((key) => key.slice(prefix.length)).sort();
  const space: Record<string, unknown> = {};
  for (const key of keys) {
    const full = prefix + key;
    const type = await redis.type(full);
    if (key === 'epoch' || key === 'probe-due' || key === 'changed' || key === 'changes') continue;
    if (type === 'set') space[key] = (await redis.smembers(full)).sort();
    else if (type === 'hash') space[key] = Object.fromEntries(Object.entries(await redis.hgetall(full)).filter(([field]) => !FIELDS_OF_THE_MOMENT.has(field)));
    else if (type === 'zset') space[key] = await redis.zrange(full, 0, -1);
    else space[key] = (await redis.getBuffer(full))?.toString('hex');
  }
  return space;
}

/**
 * The save scripts Redis ran while `during` ran: how many saves each took (its keys, 9 a save).
 * A script Redis did not have yet is sent again as EVAL after its EVALSHA: each run counts once.
 */
async function scriptRuns(admin: Redis, during: () => Promise<unknown>): Promise<number[]> {
  const monitor = await admin.duplicate().monitor();
  const runs = new Map<string, number>();
  monitor.on('monitor', (_time: string, args: string[]) => {
    if (args[0] === 'evalsha' || args[0] === 'eval') runs.set(args.slice(2).join(' '), Number(args[2]) / 9);
  });
  try {
    await during();
    await monitorCaughtUp(admin, monitor);
  } finally {
    monitor.disconnect();
  }
  return [...runs.values()];
}

describe('saves sent together', () => {
  const admin = connect();
  const prefixes: string[] = [];
  const stores: RedisAgentStore[] = [];
  const storeOn = async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const store = new RedisAgentStore(connect(), redisKeys(prefix), storedCards, undefined, TINY);
    stores.push(store);
    await store.checkLayout();
    return { prefix, store };
  };
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    for (const prefix of prefixes) await deleteKeys(admin, prefix);
    admin.disconnect();
  });

  it('run as a few scripts, and store what the same saves made one at a time store', async () => {
    const together = await storeOn();
    const alone = await storeOn();
    const writes = Array.from({ length: 40 }, (_, i) => writeOf(`agent-${i}`, cardOf(i)));
    const runs = await scriptRuns(admin, () => Promise.all(writes.map((write) => together.store.save(write))));
    for (const write of writes) await alone.store.save(write);

    expect(runs.reduce((sum, saves) => sum + saves, 0)).toBe(40);
    expect(runs.length).toBeLessThan(10);
    expect(await keySpace(admin, together.prefix)).toEqual(await keySpace(admin, alone.prefix));
    const page = await together.store.searchTerms({ terms: ['tag:even'], preferred: [], includeInactive: false, wanted: 50 });
    expect(page.total).toBe(20);
    expect(page.hits).toHaveLength(20);
  });

  it('refuse each save on its own, seeing the saves before it in the batch', async () => {
    const { store } = await storeOn();
    await store.save(writeOf('kept', cardOf(1)));
    let outcomes: PromiseSettledResult<unknown>[] = [];
    const runs = await scriptRuns(admin, async () => {
      // Two batches go out at once: these two, alone; the saves after them wait and go together.
      const filler = [store.save(writeOf('filler-1', cardOf(2))), store.save(writeOf('filler-2', cardOf(3)))];
      outcomes = await Promise.allSettled([
        store.save(writeOf('twin', cardOf(4)), { mustNotExist: true }),
        store.save(writeOf('twin', cardOf(5)), { mustNotExist: true }),
        store.save(writeOf('kept', cardOf(6)), { expectedRevision: 99 }),
        store.save(writeOf('other', cardOf(7))),
      ]);
      await Promise.all(filler);
    });
    const [first, second, stale, other] = outcomes;

    expect(runs).toEqual([1, 1, 4]);
    expect(first).toMatchObject({ status: 'fulfilled', value: { created: true } });
    expect(second).toMatchObject({ status: 'rejected', reason: expect.any(ConflictError) });
    expect(stale).toMatchObject({ status: 'rejected', reason: expect.any(PreconditionFailedError) });
    expect(other).toMatchObject({ status: 'fulfilled', value: { created: true } });
    expect((await store.get('twin'))?.summary.name).toBe('Agent 4');
    expect((await store.get('kept'))?.summary.name).toBe('Agent 1');
  });

  it('fail a save that fails in Redis alone: the others are stored, and counted in the index', async () => {
    const { prefix, store } = await storeOn();
    await admin.set(`${prefix}agent:broken`, 'not a hash');
    let outcomes: PromiseSettledResult<unknown>[] = [];
    const runs = await scriptRuns(admin, async () => {
      const filler = [store.save(writeOf('filler-1', cardOf(1))), store.save(writeOf('filler-2', cardOf(3)))];
      outcomes = await Promise.allSettled(['before', 'broken', 'after'].map((id, i) => store.save(writeOf(id, cardOf(10 + i)))));
      await Promise.all(filler);
    });

    expect(runs).toEqual([1, 1, 3]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(WriteOutcomeUnknownError);
    expect(await admin.get(`${prefix}agent:broken`)).toBe('not a hash');
    const page = await store.searchTerms({ terms: ['tag:all'], preferred: [], includeInactive: false, wanted: 50 });
    expect(page.hits.map((hit) => hit.id).sort()).toEqual(['after', 'before', 'filler-1', 'filler-2']);
    expect(page.total).toBe(4);
  });

  it('are counted by the registry, batch by batch, in a2a_store_save_batch_saves', async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const running = await startRegistry({ REDIS_URL: redisUrl(), REDIS_PREFIX: prefix, ROLE: 'api' });
    try {
      const posts = Array.from({ length: 12 }, (_, i) => sendJson(`${running.baseUrl}/agents`, 'POST', { agent_card: cardOf(i) }));
      expect((await Promise.all(posts)).map((res) => res.status)).toEqual(posts.map(() => 201));
      const text = await (await fetch(`${running.baseUrl}/metrics`)).text();
      const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
      expect(value('a2a_store_save_batch_saves_sum')).toBe(12);
      expect(value('a2a_store_save_batch_saves_count')).toBeGreaterThanOrEqual(1);
      expect(value('a2a_store_save_batch_saves_count')).toBeLessThanOrEqual(12);
    } finally {
      await running.close();
    }
  });
});
