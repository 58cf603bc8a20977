import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { storedCards } from '../../src/agents/stored-cards.js';
import { AgentIdsByNumber } from '../../src/store/agent-ids-by-number.js';
import { RedisAgentStore } from '../../src/store/redis-agent-store.js';
import { redisKeys } from '../../src/store/redis-keys.js';
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

    const monitor = await redis.duplicate().monitor();
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
  const prefix = uniquePrefix();
  const redis = new Redis(dbUrl(), { maxRetriesPerRequest: 1 });
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('shows the agent Redis gave a number to again after losing the write of the agent it had first', { timeout: 30_000 }, async () => {
    const keys = redisKeys(prefix);
    const running = await startRegistry({ REDIS_URL: dbUrl(), REDIS_PREFIX: prefix, ROLE: 'api', AUTH_MODE: 'none' });
    try {
      const names = async () => {
        const res = await fetch(`${running.baseUrl}/agents?skill=reborn`);
        expect(res.status).toBe(200);
        return ((await res.json()) as { agents: { name: string }[] }).agents.map((agent) => agent.name);
      };
      expect((await sendJson(`${running.baseUrl}/agents`, 'POST', { agent_card: skilled('Lost agent', 'reborn') })).status).toBe(201);
      expect(await names()).toEqual(['Lost agent']);

      // What a Redis that lost the registration holds: no such agent, and the counter from before it.
      const lost = await redis.get(keys.agentNumbers);
      const other = new RedisAgentStore(redis, keys, storedCards);
      const lostId = (await other.numberedIds(Number(lost), 1)).agents[0]?.id as string;
      await other.delete(lostId);
      await redis.set(keys.agentNumbers, String(Number(lost) - 1));
      expect((await sendJson(`${running.baseUrl}/agents`, 'POST', { agent_card: skilled('Second agent', 'reborn') })).status).toBe(201);
      expect(await redis.get(keys.agentNumbers)).toBe(lost);

      const clients = ((await redis.client('LIST')) as string).split('\n').filter((line) => line.includes(`name=a2a-commands-${process.pid} `));
      expect(clients.length).toBeGreaterThan(0);
      for (const line of clients) await redis.client('KILL', 'ID', /id=(\d+)/.exec(line)?.[1] as string);
      expect(await until(async () => (await fetch(`${running.baseUrl}/ready`)).status, (status) => status === 200, 10_000)).toBe(200);
      expect(await names()).toEqual(['Second agent']);
    } finally {
      await running.close();
    }
  });

  it('shows the agent that took a lost agent\'s number, not the lost agent registered again under another', { timeout: 30_000 }, async () => {
    const lossPrefix = uniquePrefix();
    const keys = redisKeys(lossPrefix);
    const running = await startRegistry({ REDIS_URL: dbUrl(), REDIS_PREFIX: lossPrefix, ROLE: 'api', AUTH_MODE: 'none' });
    try {
      const names = async (skill: string) => {
        const res = await fetch(`${running.baseUrl}/agents?skill=${skill}`);
        expect(res.status).toBe(200);
        return ((await res.json()) as { agents: { name: string }[] }).agents.map((agent) => agent.name);
      };
      const register = async (name: string, skill: string) =>
        expect((await sendJson(`${running.baseUrl}/agents`, 'POST', { agent_card: skilled(name, skill) })).status).toBe(201);

      await register('Lost agent', 'contested');
      expect(await names('contested')).toEqual(['Lost agent']);

      // What a failover that lost the registration leaves, with no reconnection and no write
      // published: no such agent, and the counter from before it.
      const lost = Number(await redis.get(keys.agentNumbers));
      await redis.del(keys.agent('lost-agent'));
      await redis.hdel(keys.agentIds(lost), String(lost));
      await redis.srem(`${keys.smallTermPrefix}skill:contested`, String(lost));
      await redis.set(keys.agentNumbers, String(lost - 1));

      await register('Taker', 'contested');
      expect(Number(await redis.get(keys.agentNumbers))).toBe(lost);
      // The lost agent registers again, under the next number and another skill: a write the replica hears of.
      await register('Lost agent', 'elsewhere');
      expect(await until(() => names('contested'), (shown) => shown[0] === 'Taker', 5_000)).toEqual(['Taker']);
    } finally {
      await running.close();
      await deleteKeys(redis, lossPrefix);
    }
  });

  it('shows the agents registered after Redis lost the data set, whose numbers the lost agents had', { timeout: 30_000 }, async () => {
    const lossPrefix = uniquePrefix();
    const running = await startRegistry({ REDIS_URL: dbUrl(), REDIS_PREFIX: lossPrefix, ROLE: 'api', AUTH_MODE: 'none' });
    try {
      const names = async (skill: string) => {
        const res = await fetch(`${running.baseUrl}/agents?skill=${skill}`);
        expect(res.status).toBe(200);
        return ((await res.json()) as { agents: { name: string }[] }).agents.map((agent) => agent.name);
      };
      const register = async (name: string, skill: string) =>
        expect((await sendJson(`${running.baseUrl}/agents`, 'POST', { agent_card: skilled(name, skill) })).status).toBe(201);
      const losses = async () => Number(/^a2a_redis_dataset_lost_total (\d+)/m.exec(await (await fetch(`${running.baseUrl}/metrics`)).text())?.[1] ?? 0);

      await register('First agent', 'kept');
      expect(await names('kept')).toEqual(['First agent']);

      // The data set is lost without a reconnection (a FLUSHALL, as far as this prefix goes).
      await deleteKeys(redis, lossPrefix);
      expect(await until(losses, (lost) => lost >= 1, 10_000)).toBeGreaterThanOrEqual(1);
      // Number 1 goes to a new agent; the first one comes back under another number and skill.
      await register('New agent', 'kept');
      await register('First agent', 'other');
      expect(await names('kept')).toEqual(['New agent']);
    } finally {
      await running.close();
      await deleteKeys(redis, lossPrefix);
    }
  });
});
