import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startRedisServer, type LocalRedis } from '../../scripts/local-redis.js';
import { redisKeys } from '../../src/store/redis-keys.js';
import { cardV1 } from '../helpers/cards.js';
import { killLeftoverProcesses, startRegistryProcess, waitFor, type RegistryProcess } from '../helpers/processes.js';
import { sendJson } from '../helpers/registry-server.js';
import { TcpRelay } from '../helpers/tcp-relay.js';

/**
 * Crash durability, measured: register load from several clients against a registry process while
 * Redis is killed with kill -9 at random moments, then restarted from its AOF on the same port (or,
 * with a replica, replaced by the promoted replica). Afterwards every registration that was answered
 * 2xx is looked up in Redis. The Durability section of docs/operations.md quotes the table this prints.
 */

const KILLS = 10;
const CLIENTS = 6;
/** Load between the registry answering again and the next kill: random within this range, in ms. */
const LOAD_BEFORE_KILL_MS = [200, 900] as const;
/** How far back Redis may hold acknowledged writes unwritten with `appendfsync everysec`: it postpones its write up to 2 s while a background fsync is slow. */
const EVERYSEC_WINDOW_MS = 2000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const between = ([low, high]: readonly [number, number]) => low + Math.random() * (high - low);

/** What one configuration's run measured. */
interface Outcome {
  configuration: string;
  kills: number;
  acknowledged: number;
  /** 503 write_unconfirmed: stored on the primary, not confirmed on a replica; not acknowledged. */
  unconfirmed: number;
  lost: number;
  /** Of the lost writes, the longest time from acknowledgement to the kill that lost it. */
  oldestLostMs: number;
}

const outcomes: Outcome[] = [];

/** Clients registering agents under unique ids, one request at a time each, until stopped. */
function registerLoad(baseUrl: string, run: string) {
  const acknowledgedAt = new Map<string, number>();
  let unconfirmed = 0;
  let stopped = false;
  const client = async (c: number) => {
    for (let n = 0; !stopped; n++) {
      const id = `${run}-${c}-${n}`;
      const response = await sendJson(`${baseUrl}/agents/${id}`, 'PUT', { agent_card: cardV1({ name: `Crash ${id}` }) }).catch(() => undefined);
      if (response && response.status >= 200 && response.status < 300) {
        acknowledgedAt.set(id, Date.now());
        await response.arrayBuffer();
        continue;
      }
      const body = (await response?.json().catch(() => undefined)) as { error?: { code?: string } } | undefined;
      if (body?.error?.code === 'write_unconfirmed') unconfirmed++;
      await sleep(20);
    }
  };
  const clients = Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
  return {
    acknowledgedAt,
    unconfirmed: () => unconfirmed,
    stop: async () => {
      stopped = true;
      await clients;
    },
  };
}

/** The acknowledged ids whose records Redis at `url` does not hold. */
async function missing(url: string, prefix: string, ids: string[]): Promise<string[]> {
  const keys = redisKeys(prefix);
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const lost: string[] = [];
    for (let i = 0; i < ids.length; i += 1000) {
      const batch = ids.slice(i, i + 1000);
      const pipeline = redis.pipeline();
      for (const id of batch) pipeline.exists(keys.agent(id));
      const replies = (await pipeline.exec()) ?? [];
      replies.forEach(([, exists], index) => exists === 0 && lost.push(batch[index] as string));
    }
    return lost;
  } finally {
    redis.disconnect();
  }
}

const ready = (registry: RegistryProcess) =>
  waitFor('registry ready', 20_000, async () => {
    const response = await fetch(`${registry.baseUrl}/ready`);
    await response.arrayBuffer();
    return response.status === 200;
  });

/**
 * Runs the load against `registry`, calling `kill` KILLS times at random moments under load, each
 * followed by `recover`, and returns the acknowledged ids with when they were acknowledged, the
 * times of the kills (once Redis was gone) and of the registry's readiness after each. A client may
 * receive the answer to a write the killed Redis applied just after the kill: a write lost in a kill
 * was acknowledged before the registry was ready again, not necessarily before the kill.
 */
async function underCrashes(registry: RegistryProcess, run: string, kill: () => Promise<void>, recover: () => Promise<void>) {
  const load = registerLoad(registry.baseUrl, run);
  const kills: number[] = [];
  const recoveries: number[] = [];
  try {
    for (let k = 0; k < KILLS; k++) {
      await ready(registry);
      await sleep(between(LOAD_BEFORE_KILL_MS));
      await kill();
      kills.push(Date.now());
      await recover();
      await ready(registry);
      recoveries.push(Date.now());
    }
    await sleep(300);
  } finally {
    await load.stop();
  }
  return { acknowledgedAt: load.acknowledgedAt, unconfirmed: load.unconfirmed(), kills, recoveries };
}

/** Records the outcome; each lost id is dated against the kill whose recovery first followed its acknowledgement. */
function record(configuration: string, run: Awaited<ReturnType<typeof underCrashes>>, lost: string[]): Outcome {
  const ages = lost.map((id) => {
    const at = run.acknowledgedAt.get(id) as number;
    const kill = run.recoveries.findIndex((recovered) => recovered >= at);
    return kill < 0 ? Infinity : Math.max(0, (run.kills[kill] as number) - at);
  });
  const outcome = {
    configuration,
    kills: run.kills.length,
    acknowledged: run.acknowledgedAt.size,
    unconfirmed: run.unconfirmed,
    lost: lost.length,
    oldestLostMs: Math.max(0, ...ages),
  };
  outcomes.push(outcome);
  return outcome;
}

/**
 * One Redis, with `persistence` arguments and a directory of its own, killed and started again on
 * the same port with the same arguments (so from its AOF, when it keeps one).
 */
async function restartRun(configuration: string, name: string, persistence: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'a2a-crash-'));
  const args = [...persistence, '--dir', dir];
  const port = await freePort();
  const prefix = `a2a:{crash-${name}}:`;
  let redis: LocalRedis = await startRedisServer(port, args);
  try {
    const registry = await startRegistryProcess({ role: 'api', redisUrl: redis.url, redisPrefix: prefix, env: { LOG_LEVEL: 'warn' } });
    const run = await underCrashes(
      registry,
      name,
      () => redis.kill(),
      async () => {
        redis = await startRedisServer(port, args);
      },
    );
    await registry.stop();
    const lostIds = await missing(redis.url, prefix, [...run.acknowledgedAt.keys()]);
    return { ...record(configuration, run, lostIds), lostIds, run };
  } finally {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('Redis killed (kill -9) under register load', () => {
  afterAll(async () => {
    await killLeftoverProcesses();
    console.log(
      `Crash durability, ${KILLS} kills of Redis per configuration, ${CLIENTS} clients registering:\n` +
        '| Configuration | Kills | Acknowledged (2xx) | 503 write_unconfirmed | Acknowledged and lost |\n| --- | --- | --- | --- | --- |\n' +
        outcomes.map((o) => `| ${o.configuration} | ${o.kills} | ${o.acknowledged} | ${o.unconfirmed} | ${o.lost}${o.lost ? ` (acknowledged at most ${o.oldestLostMs} ms before a kill)` : ''} |`).join('\n'),
    );
  });

  it('without persistence, loses every registration acknowledged before the last kill (the measurement sees losses)', { timeout: 90_000 }, async () => {
    const outcome = await restartRun('no persistence (no AOF, no RDB)', 'none', []);
    const lastKill = outcome.run.kills.at(-1) as number;
    const lastRecovery = outcome.run.recoveries.at(-1) as number;
    const acknowledgedAt = (id: string) => outcome.run.acknowledgedAt.get(id) as number;
    const beforeLastKill = [...outcome.run.acknowledgedAt.keys()].filter((id) => acknowledgedAt(id) < lastKill);
    expect(beforeLastKill.length).toBeGreaterThan(100);
    expect(outcome.lostIds).toEqual(expect.arrayContaining(beforeLastKill));
    expect(outcome.lostIds.filter((id) => acknowledgedAt(id) > lastRecovery)).toEqual([]);
  });

  it('with AOF appendfsync always, loses no acknowledged registration', { timeout: 90_000 }, async () => {
    const outcome = await restartRun('AOF `appendfsync always`', 'always', ['--appendonly', 'yes', '--appendfsync', 'always']);
    expect(outcome.acknowledged).toBeGreaterThan(200);
    expect(outcome.lostIds).toEqual([]);
  });

  it('with AOF appendfsync everysec, loses at most the registrations acknowledged in the 2 s before a kill', { timeout: 90_000 }, async () => {
    const outcome = await restartRun('AOF `appendfsync everysec`', 'everysec', ['--appendonly', 'yes', '--appendfsync', 'everysec']);
    expect(outcome.acknowledged).toBeGreaterThan(200);
    expect(outcome.oldestLostMs).toBeLessThanOrEqual(EVERYSEC_WINDOW_MS);
  });

  it('with a replica and REDIS_WAIT_REPLICAS=1, loses no acknowledged registration when the primary dies and the replica is promoted', { timeout: 90_000 }, async () => {
    const prefix = 'a2a:{crash-replica}:';
    // A replica's full sync starts at once, not after Redis's default 5 s wait for more replicas.
    const syncAtOnce = ['--repl-diskless-sync-delay', '0'];
    const ports = [await freePort(), await freePort()] as const;
    let primary = await startRedisServer(ports[0], syncAtOnce);
    let replica = await startRedisServer(ports[1], [...syncAtOnce, '--replicaof', '127.0.0.1', String(ports[0])]);
    const inSync = async (server: LocalRedis) => {
      const client = new Redis(server.url, { maxRetriesPerRequest: 1 });
      try {
        await waitFor('replica in sync', 20_000, async () => /master_link_status:up/.test(await client.info('replication')));
      } finally {
        client.disconnect();
      }
    };
    // The registry reaches Redis through a relay that the failover points at the promoted replica,
    // as a Sentinel-aware proxy or a managed service's primary endpoint would.
    const relay = await TcpRelay.start(primary.url);
    try {
      await inSync(replica);
      const registry = await startRegistryProcess({
        role: 'api',
        redisUrl: relay.url,
        redisPrefix: prefix,
        env: { LOG_LEVEL: 'warn', REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '500' },
      });
      const run = await underCrashes(registry, 'replica', () => primary.kill(), async () => {
        const promoted = new Redis(replica.url, { maxRetriesPerRequest: 1 });
        await promoted.replicaof('NO', 'ONE');
        promoted.disconnect();
        relay.redirect(replica.url);
        // The dead primary comes back empty, as a replica of the promoted one.
        const port = Number(new URL(primary.url).port);
        await primary.stop();
        primary = replica;
        replica = await startRedisServer(port, [...syncAtOnce, '--replicaof', '127.0.0.1', new URL(primary.url).port]);
        await inSync(replica);
      });
      await registry.stop();
      const lost = await missing(primary.url, prefix, [...run.acknowledgedAt.keys()]);
      const outcome = record('primary + replica, `REDIS_WAIT_REPLICAS=1`, failover to the replica', run, lost);
      expect(outcome.acknowledged).toBeGreaterThan(200);
      expect(lost).toEqual([]);
    } finally {
      await relay.close();
      await replica.stop();
      await primary.stop();
    }
  });
});
