import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardV1 } from '../helpers/cards.js';
import { connect, deleteKeys, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { sendJson, startRegistry, type RunningRegistry } from '../helpers/registry-server.js';

describe('registry on Redis', () => {
  const prefix = uniquePrefix();
  const redis = connect();
  let running: RunningRegistry;

  beforeAll(async () => {
    running = await startRegistry({ REDIS_URL: redisUrl(), REDIS_PREFIX: prefix });
  });
  afterAll(async () => {
    await running.close();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('registers a card and serves it back byte for byte', async () => {
    const text = JSON.stringify({ agent_card: cardV1() }).replace('"name"', '"name" ');
    const created = await sendJson(`${running.baseUrl}/agents`, 'POST', text);
    expect(created.status).toBe(201);
    const card = await fetch(`${running.baseUrl}/agents/weather-agent/card`);
    expect(await card.text()).toBe(text.slice('{"agent_card":'.length, -1));
    expect(await redis.exists(`${prefix}agent:weather-agent`)).toBe(1);
  });
});
