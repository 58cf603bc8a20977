import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { seedThroughStore } from '../../bench/harness/seeding.js';
import { benchCard } from '../../bench/scenarios.js';
import { killLeftoverProcesses, startRegistryProcess } from '../helpers/processes.js';
import { connect, deleteKeys, redisUrl, uniquePrefix } from '../helpers/redis.js';

const AGENTS = 300;
/** Fields of an agent's hash that differ between two registrations of the same card: when, in which order. */
const FIELDS_OF_THE_MOMENT = new Set(['createdAt', 'updatedAt', 'revision', 'n', 'pd']);

/** A change log event without what differs between two registrations of the same card (its position, revision and time). */
function eventOfTheCard(fields: string[]): string {
  const value = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) value.set(fields[i] as string, fields[i + 1] as string);
  return [value.get('a'), value.get('k'), value.get('s')].join(' ');
}

/**
 * Everything stored under `prefix`, with agent numbers replaced by the ids they stand for: two
 * registrations of the same cards hand out the numbers in different orders.
 */
async function keySpace(redis: Redis, prefix: string): Promise<Record<string, unknown>> {
  const keys: string[] = [];
  for await (const batch of redis.scanStream({ match: `${prefix}*`, count: 1000 })) keys.push(...(batch as string[]).map((key) => key.slice(prefix.length)));
  keys.sort();
  const idOf = new Map<string, string>();
  for (const key of keys.filter((k) => k.startsWith('ids:'))) {
    for (const [number, id] of Object.entries(await redis.hgetall(prefix + key))) idOf.set(number, id);
  }
  const space: Record<string, unknown> = {};
  for (const key of keys) {
    const full = prefix + key;
    const type = await redis.type(full);
    if (key.startsWith('ids:')) continue;
    // The data set's epoch is a random value written by the first registry that asks for it, not a record.
    if (key === 'epoch') continue;
    // The probe schedule is by the second each agent was written: which agents it holds, not when.
    if (key === 'probe-due') continue;
    if (key.startsWith('probe-at:')) {
      const scheduled = (space['probe-at'] as string[] | undefined) ?? [];
      space['probe-at'] = [...scheduled, ...(await redis.smembers(full)).map((n) => idOf.get(n) ?? `unknown ${n}`)].sort();
      continue;
    }
    if (type === 'set') space[key] = (await redis.smembers(full)).map((n) => idOf.get(n) ?? `unknown ${n}`).sort();
    else if (type === 'hash') space[key] = Object.fromEntries(Object.entries(await redis.hgetall(full)).filter(([field]) => !FIELDS_OF_THE_MOMENT.has(field)));
    // The agents by the time of their last change: which agents, not when, nor by which number.
    else if (key === 'changed') space[key] = (await redis.zrange(full, 0, -1)).map((n) => idOf.get(n) ?? `unknown ${n}`).sort();
    else if (type === 'zset') space[key] = await redis.zrange(full, 0, -1, 'WITHSCORES');
    else if (type === 'stream') space[key] = (await redis.xrange(full, '-', '+')).map(([, fields]) => eventOfTheCard(fields)).sort();
    else space[key] = await redis.get(full);
  }
  space['ids'] = [...idOf.values()].sort();
  return space;
}

describe('seeding through the store', () => {
  const redis = connect();
  const throughStore = uniquePrefix();
  const throughHttp = uniquePrefix();
  afterAll(async () => {
    await killLeftoverProcesses();
    await deleteKeys(redis, throughStore);
    await deleteKeys(redis, throughHttp);
    redis.disconnect();
  });

  it('writes the records and index sets that registering the same cards over HTTP writes', async () => {
    await seedThroughStore(redisUrl(), throughStore, AGENTS);
    const registry = await startRegistryProcess({ role: 'api', redisUrl: redisUrl(), redisPrefix: throughHttp });
    for (let index = 0; index < AGENTS; index++) {
      const response = await fetch(`${registry.baseUrl}/agents`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ agent_card: benchCard(index) }),
      });
      expect(response.status).toBe(201);
    }
    await registry.stop();
    const seeded = await keySpace(redis, throughStore);
    expect(Object.keys(seeded).filter((key) => key.startsWith('agent:'))).toHaveLength(AGENTS);
    expect(seeded).toEqual(await keySpace(redis, throughHttp));
  }, 60_000);
});
