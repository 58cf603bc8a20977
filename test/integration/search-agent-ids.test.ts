import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { storedCards } from '../../src/agents/stored-cards.js';
import { AgentIdsByNumber } from '../../src/store/agent-ids-by-number.js';
import { RedisAgentStore } from '../../src/store/redis-agent-store.js';
import { redisKeys, type RedisKeys } from '../../src/store/redis-keys.js';
import { DEFAULT_INDEX_TUNING } from '../../src/store/term-layout.js';
import { cardV1 } from '../helpers/cards.js';
import { deleteKeys, monitorCaughtUp, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { sendJson, startRegistry } from '../helpers/registry-server.js';
import { writeOf } from '../helpers/store-backends.js';
import { until } from '../helpers/until.js';

const DB = 9;
const dbUrl = () => {
  const url = new URL(redisUrl());
  url.pathname = `/${DB}`;
  return url.toString();
};

const skilled = (name: string, skill: string) => cardV1({ name, skills: [{ id: skill, name: 'Skill', description: 'Does it', tags: ['t'] }] });
const search = { terms: ['skill:shared'], preferred: [], includeInactive: false, wanted: 50 } as const;

describe("a search page's agent numbers become ids from the replica's memory", () => {
  const prefix = uniquePrefix();
  const redis = new Redis(dbUrl(), { maxRetriesPerRequest: 1 });
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('reads the number -> id hashes for numbers it does not know, and not again for those it does', async () => {
    const keys = redisKeys(prefix);
    const known = new AgentIdsByNumber();
    const store = new RedisAgentStore(redis, keys, storedCards, () => {}, DEFAULT_INDEX_TUNING, undefined, undefined, undefined, known);
    const ids = Array.from({ length: 30 }, (_, i) => `ids-agent-${i}`);
    for (const id of ids) await store.save(writeOf(id, skilled(id, 'shared')));

    const monitor = await redis.monitor();
    const idReads: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[], _source: string, database: string) => {
      if (Number(database) === DB && args[0]?.toLowerCase() === 'hmget' && args[1]?.startsWith(`${prefix}ids:`)) idReads.push(args);
    });
    try {
      const first = await store.searchTerms(search);
      await monitorCaughtUp(redis, monitor);
      expect(first.hits.map((hit) => hit.id)).toEqual(ids);
      // One HMGET per hash of numbers, however many of the page's numbers it holds.
      expect(idReads.length).toBeGreaterThan(0);
      expect(idReads.length).toBeLessThanOrEqual(2);
      expect(known.size).toBe(30);

      idReads.length = 0;
      const again = await store.searchTerms(search);
      await monitorCaughtUp(redis, monitor);
      expect(again.hits).toEqual(first.hits);
      expect(idReads).toEqual([]);

      // A search that finds the counter lower than before (Redis lost numbers it had given) forgets every id.
      const nobody = { ...search, terms: ['skill:nobody-has-it'] };
      await store.searchTerms(nobody);
      expect(known.size).toBe(30);
      const counter = Number(await redis.get(keys.agentNumbers));
      await redis.set(keys.agentNumbers, String(counter - 1));
      await store.searchTerms(nobody);
      expect(known.size).toBe(0);
      await redis.set(keys.agentNumbers, String(counter));

      // A deleted agent leaves the walk's numbers and the page; the others stay, their ids read again.
      await store.delete(ids[3] as string);
      const afterDelete = await store.searchTerms(search);
      expect(afterDelete.hits.map((hit) => hit.id)).toEqual(ids.filter((_, i) => i !== 3));
    } finally {
      monitor.disconnect();
    }
  });
});

describe('a replica forgets the ids of agent numbers when Redis may have given them again', () => {
  const redis = new Redis(dbUrl(), { maxRetriesPerRequest: 1 });
  afterAll(() => redis.disconnect());

  /** Runs `test` against a registry of its own on a prefix of its own, with helpers to register and search. */
  async function withRegistry(
    test: (registry: {
      baseUrl: string;
      prefix: string;
      keys: RedisKeys;
      register(name: string, skill: string): Promise<void>;
      names(skill: string): Promise<string[]>;
    }) => Promise<void>,
  ): Promise<void> {
    const prefix = uniquePrefix();
    const running = await startRegistry({ REDIS_URL: dbUrl(), REDIS_PREFIX: prefix, ROLE: 'api', AUTH_MODE: 'none' });
    const { baseUrl } = running;
    try {
      await test({
        baseUrl,
        prefix,
        keys: redisKeys(prefix),
        register: async (name, skill) => expect((await sendJson(`${baseUrl}/agents`, 'POST', { agent_card: skilled(name, skill) })).status).toBe(201),
        names: async (skill) => {
          const res = await fetch(`${baseUrl}/agents?skill=${skill}`);
          expect(res.status).toBe(200);
          return ((await res.json()) as { agents: { name: string }[] }).agents.map((agent) => agent.name);
        },
      });
    } finally {
      await running.close();
      await deleteKeys(redis, prefix);
    }
  }

  /**
   * What a failover that lost the registration of agent `id` (with skill `skill`, the last number
   * given) leaves, with nothing published: no such agent, and the counter from before it. Answers
   * the lost number.
   */
  async function loseRegistration(keys: RedisKeys, id: string, skill: string): Promise<number> {
    const lost = Number(await redis.get(keys.agentNumbers));
    await redis.del(keys.agent(id));
    await redis.hdel(keys.agentIds(lost), String(lost));
    await redis.srem(`${keys.smallTermPrefix}skill:${skill}`, String(lost));
    await redis.set(keys.agentNumbers, String(lost - 1));
    return lost;
  }

  /** Closes this process's Redis connections of `role` from the server's side; the registry opens them again. */
  async function killConnections(role: 'commands' | 'invalidations', baseUrl: string): Promise<void> {
    const ids = async () =>
      ((await redis.client('LIST')) as string)
        .split('\n')
        .filter((line) => line.includes(`name=a2a-${role}-${process.pid} `))
        .map((line) => /id=(\d+)/.exec(line)?.[1] as string);
    const killed = await ids();
    expect(killed.length).toBeGreaterThan(0);
    for (const id of killed) await redis.client('KILL', 'ID', id);
    expect(await until(ids, (now) => now.some((id) => !killed.includes(id)), 10_000)).not.toEqual([]);
    // Ready again: the store answers and the invalidation feed is live.
    expect(await until(async () => (await fetch(`${baseUrl}/ready`)).status, (status) => status === 200, 10_000)).toBe(200);
  }

  it.each(['commands', 'invalidations'] as const)(
    'shows the agent that took a lost agent\'s number once its %s connection to Redis was opened again',
    { timeout: 30_000 },
    (role) =>
      withRegistry(async ({ baseUrl, keys, register, names }) => {
        await register('Lost agent', 'reborn');
        expect(await names('reborn')).toEqual(['Lost agent']);
        const lost = await loseRegistration(keys, 'lost-agent', 'reborn');
        await register('Second agent', 'reborn');
        expect(Number(await redis.get(keys.agentNumbers))).toBe(lost);
        await killConnections(role, baseUrl);
        expect(await names('reborn')).toEqual(['Second agent']);
      }),
  );

  it('shows the agent that took a lost agent\'s number, not the lost agent registered again under another', { timeout: 30_000 }, () =>
    withRegistry(async ({ keys, register, names }) => {
      await register('Lost agent', 'contested');
      expect(await names('contested')).toEqual(['Lost agent']);
      const lost = await loseRegistration(keys, 'lost-agent', 'contested');
      await register('Taker', 'contested');
      expect(Number(await redis.get(keys.agentNumbers))).toBe(lost);
      // The lost agent registers again, under the next number and another skill: a write the replica hears of.
      await register('Lost agent', 'elsewhere');
      expect(await until(() => names('contested'), (shown) => shown[0] === 'Taker', 5_000)).toEqual(['Taker']);
    }));

  it('shows the agents registered after Redis lost the data set, whose numbers the lost agents had', { timeout: 30_000 }, () =>
    withRegistry(async ({ baseUrl, prefix, register, names }) => {
      const losses = async () => Number(/^a2a_redis_dataset_lost_total (\d+)/m.exec(await (await fetch(`${baseUrl}/metrics`)).text())?.[1] ?? 0);
      await register('First agent', 'kept');
      expect(await names('kept')).toEqual(['First agent']);

      // The data set is lost without a reconnection (a FLUSHALL, as far as this prefix goes).
      await deleteKeys(redis, prefix);
      expect(await until(losses, (lost) => lost >= 1, 10_000)).toBeGreaterThanOrEqual(1);
      // Number 1 goes to a new agent.
      await register('New agent', 'kept');
      expect(await names('kept')).toEqual(['New agent']);
    }));
});
