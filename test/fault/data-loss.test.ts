import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort, startRedisServer, type LocalRedis } from '../../scripts/local-redis.js';
import { cardV1 } from '../helpers/cards.js';
import { killLeftoverProcesses, startRegistryProcess, waitFor, type RegistryProcess } from '../helpers/processes.js';
import { sendJson } from '../helpers/registry-server.js';

const PREFIX = 'a2a:{lost}:';

/** A card whose only skill is `skill`. */
const cardWithSkill = (name: string, skill: string) =>
  cardV1({ name, skills: [{ id: skill, name: skill, description: `Does ${skill}`, tags: [skill] }] });

const skillsOf = (card: unknown) => (card as { skills: { id: string }[] }).skills.map((skill) => skill.id);

async function register(registry: RegistryProcess, id: string, card: Record<string, unknown>): Promise<void> {
  const res = await sendJson(`${registry.baseUrl}/agents/${id}`, 'PUT', { agent_card: card });
  expect([200, 201]).toContain(res.status);
}

async function metric(registry: RegistryProcess, name: string): Promise<number> {
  const text = await (await fetch(`${registry.baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1] ?? NaN);
}

describe('replicas after Redis lost its data', () => {
  let port: number;
  let redis: LocalRedis;
  let writer: RegistryProcess;
  let reader: RegistryProcess;

  beforeEach(async () => {
    port = await freePort();
    redis = await startRedisServer(port);
    const options = { role: 'api' as const, redisUrl: redis.url, redisPrefix: PREFIX, env: { LOG_LEVEL: 'warn' } };
    writer = await startRegistryProcess(options);
    reader = await startRegistryProcess(options);
  });
  afterEach(async () => {
    await killLeftoverProcesses();
    await redis.stop();
  });
  afterAll(killLeftoverProcesses);

  it('after FLUSHALL, a replica that cached a record drops it and serves the new one, and says so in a metric', async () => {
    for (let i = 0; i < 5; i++) await register(writer, 'shifting', cardWithSkill('Shifting', `old-${i}`));
    for (let i = 0; i < 2; i++) expect(skillsOf(await (await fetch(`${reader.baseUrl}/agents/shifting/card`)).json())).toEqual(['old-4']);

    const admin = new Redis(redis.url);
    await admin.flushall();
    admin.disconnect();
    await register(writer, 'shifting', cardWithSkill('Shifting', 'zeta'));

    await waitFor('the reader to serve the card written after the flush', 3000, async () => {
      const card = await (await fetch(`${reader.baseUrl}/agents/shifting/card`)).json();
      return skillsOf(card)[0] === 'zeta';
    });
    expect(await metric(reader, 'a2a_redis_dataset_lost_total')).toBe(1);
  });

  it('restarted empty under search load, never answers a search with an agent that does not match it', async () => {
    for (let i = 0; i < 20; i++) await register(writer, `agent-${i}`, cardWithSkill(`Agent ${i}`, i % 2 === 0 ? 'zeta' : 'alpha'));
    const wrong: string[] = [];
    let searching = true;
    let answered = 0;
    const load = (async () => {
      while (searching) {
        const res = await fetch(`${reader.baseUrl}/agents?skill=zeta&limit=50`).catch(() => undefined);
        if (res?.status !== 200) {
          await res?.arrayBuffer();
          continue;
        }
        answered++;
        const page = (await res.json()) as { agents: { name: string; skills: { id: string }[] }[] };
        for (const card of page.agents) if (!skillsOf(card).includes('zeta')) wrong.push(card.name);
      }
    })();

    await redis.stop();
    redis = await startRedisServer(port);
    await waitFor('writes accepted again', 10_000, async () => {
      const res = await sendJson(`${writer.baseUrl}/agents/new-alpha`, 'PUT', { agent_card: cardWithSkill('New Alpha', 'alpha') });
      await res.arrayBuffer();
      return res.status === 201;
    });
    // New agents take numbers from 1 again: an alpha agent first, then a zeta one.
    await register(writer, 'new-zeta', cardWithSkill('New Zeta', 'zeta'));
    const before = answered;
    await waitFor('searches answered after the restart', 10_000, () => answered > before + 20);
    searching = false;
    await load;

    expect(wrong).toEqual([]);
    const res = await fetch(`${reader.baseUrl}/agents?skill=zeta`);
    const page = (await res.json()) as { agents: { name: string }[] };
    expect(page.agents.map((card) => card.name)).toEqual(['New Zeta']);
  });
});
