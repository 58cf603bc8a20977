import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardV1 } from '../helpers/cards.js';
import { connect, deleteKeys, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { sendJson, startRegistry, type RunningRegistry } from '../helpers/registry-server.js';

/** The number after `name` on its own line of the metrics text. */
const metric = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);

describe('turns for costly search walks, on Redis', () => {
  const prefix = uniquePrefix();
  let running: RunningRegistry;
  let redis: Redis;

  beforeAll(async () => {
    redis = connect();
    running = await startRegistry({ REDIS_URL: redisUrl(), REDIS_PREFIX: prefix, ROLE: 'api' });
    // 300 agents with the tag `left`, and 300 others with the word `right`, which the first has too.
    for (let i = 0; i < 600; i++) {
      const card = cardV1({
        name: `Agent ${i}`,
        description: i === 0 || i >= 300 ? 'Seen from the right' : 'Seen from elsewhere',
        supportedInterfaces: [{ url: `https://agent-${i}.example.com/a2a`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' }],
        skills: [{ id: 'forecast', name: 'Forecast', description: 'Forecasts', tags: [i < 300 ? 'left' : 'other'] }],
      });
      expect((await sendJson(`${running.baseUrl}/agents`, 'POST', { agent_card: card })).status).toBe(201);
    }
  }, 60_000);

  afterAll(async () => {
    await running.close();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  const turns = async () => metric(await (await fetch(`${running.baseUrl}/metrics`)).text(), 'a2a_search_turn_wait_seconds_count');
  const search = async (query: string) => {
    const response = await fetch(`${running.baseUrl}/agents?${query}`);
    expect(response.status).toBe(200);
    return (await response.json()) as { total: number };
  };

  it('gives a search a turn the first time, and again only while its walk stays costly', async () => {
    expect(await turns()).toBe(0);
    // Two terms of 300 agents that share one: the walk examines all 300 of either.
    expect((await search('tag=left&q=right')).total).toBe(1);
    expect(await turns()).toBe(1);
    expect((await search('tag=left&q=right')).total).toBe(1);
    expect(await turns()).toBe(2);
    // A page of the tag alone stops after 21 candidates: cheap, so its second run needs no turn.
    expect((await search('tag=left&limit=20')).total).toBe(300);
    expect(await turns()).toBe(3);
    expect((await search('tag=left&limit=20')).total).toBe(300);
    expect(await turns()).toBe(3);
    // Counting inactive agents makes it another search.
    expect((await search('tag=left&limit=20&include_inactive=true')).total).toBe(300);
    expect(await turns()).toBe(4);
  });
});
