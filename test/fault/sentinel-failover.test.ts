import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/local-redis.js';
import { LOCAL_MASTER_NAME, LocalSentinelSet, sentinelInstalled } from '../../scripts/local-sentinel.js';
import { closeRedis, createRedisConnection, createSubscriberConnection, waitUntilReady } from '../../src/store/redis-connection.js';
import { createLogger } from '../../src/logger.js';
import { redisKeys } from '../../src/store/redis-keys.js';
import { cardV1 } from '../helpers/cards.js';
import { killLeftoverProcesses, startRegistryProcess, waitFor, type RegistryProcess } from '../helpers/processes.js';
import { sendJson } from '../helpers/registry-server.js';
import { watchWrites } from '../helpers/write-load.js';

/**
 * Sentinel failover with real processes: a primary, a replica and three Sentinels on loopback, two
 * API processes and a worker configured with REDIS_SENTINELS. The primary is killed (kill -9), then
 * frozen (SIGSTOP, so that its sockets stay open while the Sentinels promote the replica).
 */

const PREFIX = 'a2a:{sentinel}:';
const keys = redisKeys(PREFIX);
/** The most a request may take while Redis fails over: the command timeout and a margin. */
const FAST_ANSWER_MS = 3000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const sentinelAddresses = (set: LocalSentinelSet) => set.sentinelList.split(',').map((entry) => ({ host: '127.0.0.1', port: Number(entry.split(':')[1]) }));

async function revisionOn(api: RegistryProcess, id: string): Promise<number> {
  const response = await fetch(`${api.baseUrl}/agents/${id}`);
  const body = (await response.json()) as { revision: number };
  if (response.status !== 200) throw new Error(`GET ${id}: ${response.status}`);
  return body.revision;
}

const isReady = async (process: RegistryProcess) => {
  const response = await fetch(`${process.baseUrl}/ready`);
  await response.arrayBuffer();
  return response.status === 200;
};

describe.skipIf(!sentinelInstalled())('Sentinel failover (needs redis-sentinel on PATH: apt-get install redis-sentinel)', () => {
  let sentinels: LocalSentinelSet;
  let apiA: RegistryProcess;
  let apiB: RegistryProcess;
  let worker: RegistryProcess;

  beforeAll(async () => {
    const ports = await Promise.all(Array.from({ length: 5 }, () => freePort()));
    sentinels = new LocalSentinelSet({ serverPorts: [ports[0], ports[1]] as [number, number], sentinelPorts: ports.slice(2) as [number, number, number] });
    await sentinels.start();
    const env = { REDIS_SENTINELS: sentinels.sentinelList, REDIS_SENTINEL_MASTER: LOCAL_MASTER_NAME, SWEEP_INTERVAL_SECONDS: '1', LOG_LEVEL: 'warn' };
    [apiA, apiB, worker] = await Promise.all([
      startRegistryProcess({ role: 'api', redisUrl: undefined, redisPrefix: PREFIX, env }),
      startRegistryProcess({ role: 'api', redisUrl: undefined, redisPrefix: PREFIX, env }),
      startRegistryProcess({ role: 'worker', redisUrl: undefined, redisPrefix: PREFIX, env }),
    ]);
  }, 60_000);

  afterAll(async () => {
    await killLeftoverProcesses();
    await sentinels?.stop();
  });

  it('opens again a connection that ioredis ended on its own, and not one closed on purpose', async () => {
    const connection = createSubscriberConnection({ mode: 'sentinel', sentinels: sentinelAddresses(sentinels), masterName: LOCAL_MASTER_NAME, tls: false });
    expect(await waitUntilReady(connection, 5000)).toBe(true);
    // What ioredis does when its failover detector interrupts a reconnection: the connection ends.
    connection.disconnect();
    await waitFor('the connection ready again', 5000, () => connection.status === 'ready');
    await closeRedis(connection);
    await sleep(500);
    expect(connection.status).toBe('end');
  });

  it.each([
    ['killed (kill -9)', 'kill'],
    ['frozen (SIGSTOP)', 'freeze'],
  ] as const)('when the primary is %s, requests get fast 503s, then every process follows the new primary without a restart', { timeout: 90_000 }, async (_, how) => {
    const id = `watched-${how}`;
    expect((await sendJson(`${apiA.baseUrl}/agents/${id}`, 'PUT', { agent_card: cardV1({ name: 'Before' }) })).status).toBeLessThan(300);
    await revisionOn(apiB, id);

    const watch = watchWrites(apiA, 'probe-');
    await sleep(300);
    const oldPort = how === 'kill' ? await sentinels.killPrimary() : await sentinels.freezePrimary();
    const failedOverAt = Date.now();
    const newPort = await sentinels.failedOver(oldPort);
    await waitFor('a write acknowledged by the new primary', 20_000, async () => {
      const response = await sendJson(`${apiA.baseUrl}/agents/${id}`, 'PUT', { agent_card: cardV1({ name: 'After' }) });
      await response.arrayBuffer();
      return response.status === 200;
    });
    const seen = await watch.stop();

    expect(newPort).not.toBe(oldPort);
    // Nothing but successes and 503s, each fast, and /ready out of rotation for a while.
    expect(Object.keys(seen.statuses).filter((status) => status !== '200' && status !== '201' && status !== '503')).toEqual([]);
    expect(seen.statuses['503']).toBeGreaterThan(0);
    expect(seen.slowestMs).toBeLessThan(FAST_ANSWER_MS);
    expect(seen.readiness).toEqual([200, 503]);

    // The other replica's invalidation feed follows: an update on A reaches B's cache.
    await waitFor('API B ready', 20_000, () => isReady(apiB));
    const before = await revisionOn(apiB, id);
    const updated = await sendJson(`${apiA.baseUrl}/agents/${id}`, 'PUT', { agent_card: cardV1({ name: 'Updated' }) });
    const { revision } = (await updated.json()) as { revision: number };
    expect(revision).toBeGreaterThan(before);
    await waitFor('API B to serve the update', 2000, async () => (await revisionOn(apiB, id)) === revision);

    // The worker's sweep runs on the new primary.
    const redis = sentinels.connect(newPort);
    try {
      await waitFor('a sweep after the failover', 20_000, async () => Number(await redis.get(keys.lastSweep)) > failedOverAt);
    } finally {
      redis.disconnect();
    }
    await waitFor('the worker ready', 20_000, () => isReady(worker));
    await sentinels.rejoin(oldPort);
  });

  it('takes no answer from a frozen primary resumed just after the failover: what a write is acknowledged by, the new primary holds', { timeout: 60_000 }, async () => {
    const endpoint = { mode: 'sentinel', sentinels: sentinelAddresses(sentinels), masterName: LOCAL_MASTER_NAME, tls: false } as const;
    // A deadline longer than the failover, so that the write is still waiting when the old primary resumes.
    const connection = createRedisConnection({ endpoint, commandTimeoutMs: 15_000, logger: createLogger('silent', false) });
    const key = 'test:{sentinel}:written-during-freeze';
    try {
      expect(await waitUntilReady(connection, 5000)).toBe(true);
      const oldPort = await sentinels.freezePrimary();
      // Sent to the frozen primary: it waits, unread, in the socket.
      const write = connection.set(key, 'acknowledged').then(() => 'acknowledged', (error: Error) => error.message);
      const newPort = await sentinels.failedOver(oldPort);
      await sentinels.rejoin(oldPort);
      expect(await write).toBe('acknowledged');
      // The old primary ran the write too when it resumed, but its answer went nowhere: the write was
      // sent again to the new primary, which answered it and holds it.
      const redis = sentinels.connect(newPort);
      try {
        expect(await redis.get(key)).toBe('acknowledged');
      } finally {
        redis.disconnect();
      }
    } finally {
      await closeRedis(connection);
    }
  });
});
