import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startRedisServer, type LocalRedis } from '../../scripts/local-redis.js';
import { cardV1 } from '../helpers/cards.js';
import { killLeftoverProcesses, startRegistryProcess, waitFor, type RegistryProcess } from '../helpers/processes.js';
import { sendJson } from '../helpers/registry-server.js';

/** Every request must be answered within this while Redis is down (the default command timeout is 1 s). */
const ANSWER_WITHIN_MS = 1000;

async function timed(request: () => Promise<Response>): Promise<{ status: number; ms: number; retryAfter: string | null }> {
  const started = performance.now();
  const response = await request();
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - started, retryAfter: response.headers.get('retry-after') };
}

describe('a registry process whose Redis stops and comes back', () => {
  let port: number;
  let redis: LocalRedis;
  let registry: RegistryProcess;

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedisServer(port);
    registry = await startRegistryProcess({ role: 'all', redisUrl: redis.url, redisPrefix: 'a2a:{down}:', env: { LOG_LEVEL: 'warn' } });
    expect((await sendJson(`${registry.baseUrl}/agents`, 'POST', { agent_card: cardV1({ name: 'Before' }) })).status).toBe(201);
  });
  afterAll(async () => {
    await killLeftoverProcesses();
    await redis.stop();
  });

  it('answers 503 with Retry-After within a second, fails readiness, then recovers by itself', async () => {
    await redis.stop();
    const requests = [
      () => fetch(`${registry.baseUrl}/agents/before`),
      () => fetch(`${registry.baseUrl}/agents?q=before`),
      () => sendJson(`${registry.baseUrl}/agents`, 'POST', { agent_card: cardV1({ name: 'During' }) }),
      () => fetch(`${registry.baseUrl}/agents/before/heartbeat`, { method: 'POST' }),
    ];
    for (const request of requests) {
      const answer = await timed(request);
      expect(answer.status).toBe(503);
      expect(answer.retryAfter).toMatch(/^\d+$/);
      expect(answer.ms).toBeLessThan(ANSWER_WITHIN_MS);
    }
    expect((await fetch(`${registry.baseUrl}/ready`)).status).toBe(503);
    expect((await fetch(`${registry.baseUrl}/health`)).status).toBe(200);

    redis = await startRedisServer(port);
    await waitFor('readiness back', 10_000, async () => (await fetch(`${registry.baseUrl}/ready`)).status === 200);
    expect((await sendJson(`${registry.baseUrl}/agents`, 'POST', { agent_card: cardV1({ name: 'After' }) })).status).toBe(201);
    expect((await fetch(`${registry.baseUrl}/agents/after`)).status).toBe(200);
    expect(registry.hasExited()).toBe(false);
  });
});
