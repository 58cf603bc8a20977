import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startRedisServer, type LocalRedis } from '../../scripts/local-redis.js';
import { redisKeys } from '../../src/store/redis-keys.js';
import { cardV1 } from '../helpers/cards.js';
import { waitFor } from '../helpers/processes.js';
import { uniquePrefix } from '../helpers/redis.js';
import { sendJson, startRegistry, type RunningRegistry } from '../helpers/registry-server.js';

interface ErrorBody {
  error: { code: string; message: string };
}

/** Resolves once the replica at `replica` has finished its sync with its primary. */
const inSync = (replica: Redis) =>
  waitFor('replica in sync', 10_000, async () => /master_link_status:up/.test(await replica.info('replication')));

describe('REDIS_WAIT_REPLICAS: writes confirmed by a replica', () => {
  const prefix = uniquePrefix();
  const keys = redisKeys(prefix);
  let primary: LocalRedis;
  let replica: LocalRedis;
  let replicaClient: Redis;
  let registry: RunningRegistry;

  beforeAll(async () => {
    const primaryPort = await freePort();
    // The replica's first sync starts at once, not after Redis's default 5 s wait for more replicas.
    primary = await startRedisServer(primaryPort, ['--repl-diskless-sync-delay', '0']);
    replica = await startRedisServer(await freePort(), ['--replicaof', '127.0.0.1', String(primaryPort)]);
    replicaClient = new Redis(replica.url, { maxRetriesPerRequest: 1 });
    await inSync(replicaClient);
    registry = await startRegistry({ REDIS_URL: primary.url, REDIS_PREFIX: prefix, REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '1000', CACHE_MAX_ENTRIES: '0' });
  });
  afterAll(async () => {
    await registry?.close();
    replicaClient?.disconnect();
    await replica?.stop();
    await primary?.stop();
  });

  it('answers a write as done once the replica holds it', async () => {
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => sendJson(`${registry.baseUrl}/agents/confirmed-${i}`, 'PUT', { agent_card: cardV1({ name: `Confirmed ${i}` }) })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(201));
    // Read at once, without waiting for the replica: WAIT answered only after it acknowledged them.
    const onReplica = await Promise.all(Array.from({ length: 20 }, (_, i) => replicaClient.exists(keys.agent(`confirmed-${i}`))));
    expect(onReplica).toEqual(Array(20).fill(1));
    const heartbeat = await fetch(`${registry.baseUrl}/agents/confirmed-0/heartbeat`, { method: 'POST' });
    expect(heartbeat.status).toBe(200);
  });

  it('answers 503 write_unconfirmed when no replica confirms in time, with the write stored on the primary', async () => {
    replicaClient.disconnect();
    await replica.kill();
    const started = Date.now();
    const response = await sendJson(`${registry.baseUrl}/agents/unconfirmed`, 'PUT', { agent_card: cardV1({ name: 'Unconfirmed' }) });
    const body = (await response.json()) as ErrorBody;
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(body.error.code).toBe('write_unconfirmed');
    expect(body.error.message).toMatch(/Agent 'unconfirmed' revision \d+ was stored on the Redis primary, but only 0 of the 1 replicas required confirmed it within 1000 ms/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    expect((await fetch(`${registry.baseUrl}/agents/unconfirmed`)).status).toBe(200);
    expect(await (await fetch(`${registry.baseUrl}/metrics`)).text()).toMatch(/^a2a_redis_writes_unconfirmed_total 1$/m);

    const deletion = await fetch(`${registry.baseUrl}/agents/confirmed-1`, { method: 'DELETE' });
    expect(deletion.status).toBe(503);
    expect(((await deletion.json()) as ErrorBody).error.code).toBe('write_unconfirmed');
    expect((await fetch(`${registry.baseUrl}/agents/confirmed-1`)).status).toBe(404);
  });

  it('does not hold up reads while a write waits for the replica', async () => {
    const write = sendJson(`${registry.baseUrl}/agents/waiting`, 'PUT', { agent_card: cardV1({ name: 'Waiting' }) });
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    expect((await fetch(`${registry.baseUrl}/agents/unconfirmed`)).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(500);
    expect((await write).status).toBe(503);
  });
});
