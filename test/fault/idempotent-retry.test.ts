import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort, startRedisServer, type LocalRedis } from '../../scripts/local-redis.js';
import { cardV1 } from '../helpers/cards.js';
import { killLeftoverProcesses, startRegistryProcess, waitFor, type RegistryProcess } from '../helpers/processes.js';
import { sendJson } from '../helpers/registry-server.js';
import { TcpRelay } from '../helpers/tcp-relay.js';

describe('a write whose reply from Redis came too late', () => {
  let redis: LocalRedis;
  let relay: TcpRelay;
  let registry: RegistryProcess;

  beforeEach(async () => {
    redis = await startRedisServer(await freePort());
    relay = await TcpRelay.start(redis.url);
    const env = { LOG_LEVEL: 'warn', REDIS_COMMAND_TIMEOUT_MS: '300' };
    registry = await startRegistryProcess({ role: 'api', redisUrl: relay.url, redisPrefix: 'a2a:{retry}:', env });
  });
  afterEach(async () => {
    await killLeftoverProcesses();
    await relay.close();
    await redis.stop();
  });
  afterAll(killLeftoverProcesses);

  it('got 503, was stored all the same, and its retry with the same key is answered 201 with it, not 409', async () => {
    const body = { agent_card: cardV1({ name: 'Late Agent' }) };
    const headers = { 'idempotency-key': 'late-create', 'if-none-match': '*' };
    const url = `${registry.baseUrl}/agents/late-agent`;

    // The write script (the only command that carries the card) reaches Redis and runs; its reply
    // is held past the command timeout.
    const trapped = relay.pauseDownstreamAfter('Late Agent');
    const during = await sendJson(url, 'PUT', body, headers);
    expect(during.status).toBe(503);
    await during.arrayBuffer();
    relay.resumeDownstream(await trapped);

    const stored = await waitFor('the write to be readable', 5000, async () => {
      const res = await fetch(url);
      return res.status === 200 && ((await res.json()) as { revision: number });
    });
    const retry = await sendJson(url, 'PUT', body, headers);
    expect(retry.status).toBe(201);
    expect(await retry.json()).toMatchObject({ created: true, revision: stored.revision });
    // A client without a key, retrying as Retry-After suggests, is refused its own write.
    const blind = await sendJson(url, 'PUT', body, { 'if-none-match': '*' });
    expect(blind.status).toBe(409);
    await blind.arrayBuffer();
  });
});
