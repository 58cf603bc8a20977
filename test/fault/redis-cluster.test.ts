import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterToolsInstalled, LocalCluster } from '../../scripts/local-cluster.js';
import { freePort } from '../../scripts/local-redis.js';
import { redisKeys } from '../../src/store/redis-keys.js';
import { cardV1 } from '../helpers/cards.js';
import { killLeftoverProcesses, startRegistryProcess, waitFor, type RegistryProcess } from '../helpers/processes.js';
import { sendJson } from '../helpers/registry-server.js';
import { watchWrites } from '../helpers/write-load.js';

/**
 * Cluster mode with real processes: a Redis Cluster of three primaries with one replica each on
 * loopback, two API processes and a worker configured with REDIS_CLUSTER_NODES, rate limits on.
 * Every key shares the prefix's hash slot, so the primary that owns it is killed while requests flow.
 */

const PREFIX = 'a2a:{cluster-mode}:';
const keys = redisKeys(PREFIX);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function json(response: Response): Promise<{ status: number; body: Record<string, unknown> }> {
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const revisionOn = async (api: RegistryProcess, id: string) => {
  const { status, body } = await json(await fetch(`${api.baseUrl}/agents/${id}`));
  if (status !== 200) throw new Error(`GET ${id}: ${status}`);
  return body.revision as number;
};

describe.skipIf(!clusterToolsInstalled())('Redis Cluster endpoints (needs redis-cli --cluster: apt-get install redis-tools)', () => {
  let cluster: LocalCluster;
  let client: Cluster;
  let apiA: RegistryProcess;
  let apiB: RegistryProcess;
  let worker: RegistryProcess;

  beforeAll(async () => {
    cluster = new LocalCluster(await Promise.all(Array.from({ length: 6 }, () => freePort())));
    await cluster.start();
    client = new Cluster(cluster.nodeList.split(',').map((node) => ({ host: '127.0.0.1', port: Number(node.split(':')[1]) })));
    const env = {
      REDIS_CLUSTER_NODES: cluster.nodeList,
      SWEEP_INTERVAL_SECONDS: '1',
      RATE_LIMIT_WRITES_PER_MINUTE: '100000',
      RATE_LIMIT_READS_PER_MINUTE: '100000',
      LOG_LEVEL: 'warn',
    };
    [apiA, apiB, worker] = await Promise.all([
      startRegistryProcess({ role: 'api', redisUrl: undefined, redisPrefix: PREFIX, env }),
      startRegistryProcess({ role: 'api', redisUrl: undefined, redisPrefix: PREFIX, env }),
      startRegistryProcess({ role: 'worker', redisUrl: undefined, redisPrefix: PREFIX, env }),
    ]);
  }, 60_000);

  afterAll(async () => {
    await killLeftoverProcesses();
    client?.disconnect();
    await cluster?.stop();
  });

  it('registers, searches, reads and deletes agents, with invalidations and the BullMQ sweep on the cluster', { timeout: 60_000 }, async () => {
    const created = await json(await sendJson(`${apiA.baseUrl}/agents/cluster-weather`, 'PUT', { agent_card: cardV1({ name: 'Cluster Weather' }) }));
    expect(created.status).toBe(201);
    const found = await json(await fetch(`${apiB.baseUrl}/agents/search?q=cluster`));
    expect((found.body.results as { agent_id: string }[]).map((r) => r.agent_id)).toEqual(['cluster-weather']);

    // B caches the record; an update on A reaches it over the invalidation feed.
    const before = await revisionOn(apiB, 'cluster-weather');
    const updated = await json(await sendJson(`${apiA.baseUrl}/agents/cluster-weather`, 'PUT', { agent_card: cardV1({ name: 'Cluster Weather 2' }) }));
    expect(updated.body.revision).toBe(before + 1);
    await waitFor('API B to serve the update', 2000, async () => (await revisionOn(apiB, 'cluster-weather')) === before + 1);

    expect((await fetch(`${apiA.baseUrl}/agents/cluster-weather`, { method: 'DELETE' })).status).toBe(200);
    await waitFor('API B to forget the agent', 2000, async () => (await fetch(`${apiB.baseUrl}/agents/cluster-weather`)).status === 404);

    // The worker's sweep runs through BullMQ on the cluster, its keys under the same slot.
    const startedAt = Date.now();
    await waitFor('a sweep', 20_000, async () => Number(await client.get(keys.lastSweep)) > startedAt);
    const queueKeys = (await Promise.all(client.nodes('master').map((node) => node.keys(`${keys.queuePrefix}:*`)))).flat();
    expect(queueKeys.length).toBeGreaterThan(0);
  });

  it('recovers without a restart when the primary that owns the registry slot fails over, answering 503 meanwhile', { timeout: 90_000 }, async () => {
    const load = watchWrites(apiA, 'flow-');
    await sleep(500);
    const owner = await cluster.ownerOf(keys.lastSweep);
    await cluster.kill(owner);
    const killedAt = Date.now();
    const promoted = await cluster.failedOver(keys.lastSweep, owner);
    await waitFor('a write after the failover', 30_000, async () => {
      const response = await sendJson(`${apiA.baseUrl}/agents/after-failover`, 'PUT', { agent_card: cardV1({ name: 'After' }) });
      await response.arrayBuffer();
      return response.status < 300;
    });
    const seen = await load.stop();

    expect(promoted).not.toBe(owner);
    expect(Object.keys(seen.statuses).filter((status) => !['200', '201', '503'].includes(status))).toEqual([]);
    expect(seen.statuses['503']).toBeGreaterThan(0);
    expect(seen.slowestMs).toBeLessThan(5000);
    await waitFor('API B ready again', 20_000, async () => (await fetch(`${apiB.baseUrl}/ready`)).status === 200);
    await waitFor('API B to read the new agent', 5000, async () => (await fetch(`${apiB.baseUrl}/agents/after-failover`)).status === 200);
    // A sweep that ran on the killed primary holds its job's lock there: BullMQ hands it on once the lock runs out.
    await waitFor('a sweep on the promoted primary', 40_000, async () => Number(await client.get(keys.lastSweep)) > killedAt).catch((error: Error) => {
      throw new Error(`${error.message}\n${worker.output()}`);
    });
    await waitFor('the worker ready', 20_000, async () => (await fetch(`${worker.baseUrl}/ready`)).status === 200);
  });
});
