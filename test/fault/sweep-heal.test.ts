import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, startRedisServer, type LocalRedis } from '../../scripts/local-redis.js';
import { cardV1 } from '../helpers/cards.js';
import { killLeftoverProcesses, startRegistryProcess, waitFor, type RegistryProcess } from '../helpers/processes.js';
import { sendJson } from '../helpers/registry-server.js';

const PREFIX = 'a2a:{heal}:';
const INTERVAL_MS = 1000;
/** Sweeps every second; agents stay readable (inactive) long after they expire. */
const WORKER_ENV = { SWEEP_INTERVAL_SECONDS: String(INTERVAL_MS / 1000), HEARTBEAT_GRACE_SECONDS: '600', LOG_LEVEL: 'info' };

interface Readiness {
  status: number;
  checks: Record<string, boolean>;
}

async function readiness(proc: RegistryProcess): Promise<Readiness> {
  const res = await fetch(`${proc.baseUrl}/ready`);
  return { status: res.status, checks: ((await res.json()) as { checks: Record<string, boolean> }).checks };
}

async function metric(proc: RegistryProcess, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${proc.baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

/** Registers `name` with a heartbeat TTL and returns when its TTL runs out (by the local clock). */
async function registerWithTtl(api: RegistryProcess, name: string, ttlSeconds: number): Promise<{ id: string; expiresAt: number }> {
  const res = await sendJson(`${api.baseUrl}/agents`, 'POST', { agent_card: cardV1({ name }), heartbeat_ttl_seconds: ttlSeconds });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { agent_id: string };
  return { id: body.agent_id, expiresAt: Date.now() + ttlSeconds * 1000 };
}

const statusOf = async (api: RegistryProcess, id: string) =>
  ((await (await fetch(`${api.baseUrl}/agents/${id}`)).json()) as { status?: string; revision?: number });

describe('the expiry sweep heals itself', () => {
  let redis: LocalRedis | undefined;
  afterEach(async () => {
    await killLeftoverProcesses();
    await redis?.stop();
  });

  it('after Redis restarted empty under two workers, an agent registered afterwards expires within two sweep intervals, once', async () => {
    const port = await freePort();
    redis = await startRedisServer(port);
    const options = { redisUrl: redis.url, redisPrefix: PREFIX };
    const api = await startRegistryProcess({ ...options, role: 'api', env: { LOG_LEVEL: 'warn' } });
    const workers = [
      await startRegistryProcess({ ...options, role: 'worker', env: WORKER_ENV }),
      await startRegistryProcess({ ...options, role: 'worker', env: WORKER_ENV }),
    ];
    const before = await registerWithTtl(api, 'Before Restart', 1);
    await waitFor('an agent expires before the restart', 5000, async () => (await statusOf(api, before.id)).status === 'inactive');

    await redis.stop();
    redis = await startRedisServer(port);
    await waitFor('writes accepted again', 10_000, async () => {
      const res = await fetch(`${api.baseUrl}/ready`);
      await res.arrayBuffer();
      return res.status === 200;
    });
    for (const worker of workers) {
      await waitFor('the worker sees Redis again', 10_000, async () => (await readiness(worker)).checks.store);
    }

    const after = await registerWithTtl(api, 'After Restart', 1);
    await waitFor('the agent registered after the restart to expire', 15_000, async () => (await statusOf(api, after.id)).status === 'inactive');
    const lateBy = Date.now() - after.expiresAt;
    console.info(`expired ${lateBy} ms after its TTL ran out`);
    expect(lateBy, `expired ${lateBy} ms after its TTL ran out`).toBeLessThanOrEqual(2 * INTERVAL_MS + 500);

    // Expired exactly once: one revision for registering, one for turning inactive, and one expiry among both workers.
    expect((await statusOf(api, after.id)).revision).toBe(2);
    let expiries = 0;
    for (const worker of workers) expiries += (await metric(worker, 'a2a_agent_expiries_total{stage="inactive"}')) ?? 0;
    expect(expiries).toBe(2);

    // The queue's global concurrency of 1, which keeps two workers from sweeping at once, is back too.
    const queue = new Queue('expiry-sweep', { connection: { host: '127.0.0.1', port }, prefix: `${PREFIX}bull` });
    try {
      expect(await queue.getGlobalConcurrency()).toBe(1);
    } finally {
      await queue.close();
    }
  }, 60_000);

  it('a worker fails readiness when no sweep has completed for 3 intervals, and recovers; both workers show the shared time of the last sweep', async () => {
    const port = await freePort();
    redis = await startRedisServer(port);
    const options = { redisUrl: redis.url, redisPrefix: PREFIX, role: 'worker' as const, env: WORKER_ENV };
    const workers = [await startRegistryProcess(options), await startRegistryProcess(options)];
    const lastSweep = (worker: RegistryProcess) => metric(worker, 'a2a_sweep_last_success_timestamp_seconds');
    await waitFor('a first sweep', 5000, async () => ((await lastSweep(workers[0]!)) ?? 0) > 0);

    // Sweeps stop while Redis answers: the sweep queue is paused, so no worker takes a job.
    const queue = new Queue('expiry-sweep', { connection: { host: '127.0.0.1', port }, prefix: `${PREFIX}bull` });
    await queue.pause();
    const pausedAt = Date.now();
    // A sweep under way when the queue was paused still finishes (in milliseconds here); none starts after it.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const frozen = (await lastSweep(workers[0]!))!;
    for (const worker of workers) {
      const stale = await waitFor('readiness to fail', 6000, async () => {
        const ready = await readiness(worker);
        return ready.status === 503 && ready;
      });
      expect(Date.now() - frozen * 1000, 'failed readiness before 3 intervals without a sweep').toBeGreaterThanOrEqual(3 * INTERVAL_MS);
      expect(stale.checks).toMatchObject({ store: true, sweeps: false });
      // The same value on a worker that may never have run a sweep itself: they read it from Redis.
      expect(await lastSweep(worker)).toBe(frozen);
    }

    await queue.resume();
    await queue.close();
    for (const worker of workers) {
      await waitFor('readiness to recover', 5000, async () => (await readiness(worker)).status === 200);
      expect((await lastSweep(worker))! * 1000).toBeGreaterThan(pausedAt);
    }
  }, 60_000);
});
