import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { freePort, startRedisServer, type LocalRedis } from '../../scripts/local-redis.js';
import { cardV1 } from '../helpers/cards.js';
import {
  isAtLeast,
  killLeftoverProcesses,
  spawnRegistryProcess,
  startRegistryProcess,
  waitFor,
  type LogEntry,
  type RegistryProcess,
  type Role,
} from '../helpers/processes.js';
import { sendJson } from '../helpers/registry-server.js';

/** A scrape must be answered within this whatever Redis does. */
const SCRAPE_WITHIN_MS = 1000;

/** Scrapes `/metrics`: how long it took, and the value of `a2a_redis_up`. */
async function scrape(registry: RegistryProcess): Promise<{ ms: number; status: number; redisUp: number | undefined }> {
  const started = performance.now();
  const res = await fetch(`${registry.baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  const line = text.split('\n').find((l) => l.startsWith('a2a_redis_up '));
  return { ms: performance.now() - started, status: res.status, redisUp: line === undefined ? undefined : Number(line.split(' ')[1]) };
}

async function expectPromptScrapeWithRedisDown(registry: RegistryProcess): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const answer = await scrape(registry);
    expect(answer.status, registry.output()).toBe(200);
    expect(answer.ms).toBeLessThan(SCRAPE_WITHIN_MS);
    expect(answer.redisUp).toBe(0);
  }
}

const isListening = (entry: LogEntry) => entry.msg === 'A2A Registry listening';
const isOutageStart = (entry: LogEntry) => entry.msg.startsWith('Redis unreachable');
const isOutageEnd = (entry: LogEntry) => entry.msg === 'Redis reachable again';

describe.each<Role>(['all', 'worker'])('a ROLE=%s process started while Redis is down', (role) => {
  let registry: RegistryProcess | undefined;
  afterEach(killLeftoverProcesses);

  it('logs that it listens at once, answers /metrics within a second with a2a_redis_up 0, and exits 0 on SIGTERM', async () => {
    const nobody = `redis://127.0.0.1:${await freePort()}`;
    const startedAt = Date.now();
    registry = await spawnRegistryProcess({ role, redisUrl: nobody, redisPrefix: 'a2a:{startdown}:' });
    const listening = await registry.waitForLog(isListening, 5000);
    expect(listening.time - startedAt).toBeLessThan(3000);
    // The first failed connection attempt may be reported just after the server listens.
    await registry.waitForLog(isOutageStart, 5000);
    expect(registry.logs().filter(isOutageStart)).toHaveLength(1);
    await expectPromptScrapeWithRedisDown(registry);
    expect((await fetch(`${registry.baseUrl}/health`)).status).toBe(200);
    expect((await fetch(`${registry.baseUrl}/ready`)).status).toBe(503);
    expect(await registry.stop('SIGTERM')).toBe(0);
    expect(registry.output()).not.toMatch(/Unhandled error event|ECONNREFUSED.*\n\s+at /);
  });

  it('exits 0 on SIGTERM sent before it could even listen', async () => {
    registry = await spawnRegistryProcess({ role, redisUrl: `redis://127.0.0.1:${await freePort()}`, redisPrefix: 'a2a:{startdown}:' });
    await registry.waitForLog((entry) => entry.msg === 'Using Redis', 5000);
    expect(await registry.stop('SIGTERM')).toBe(0);
  });
});

describe('processes whose Redis stalls or goes away', () => {
  let redis: LocalRedis | undefined;
  afterEach(async () => {
    if (redis?.process.exitCode === null) redis.process.kill('SIGCONT');
    await killLeftoverProcesses();
    await redis?.stop();
  });
  afterAll(killLeftoverProcesses);

  async function startBoth(prefix: string): Promise<RegistryProcess[]> {
    redis = await startRedisServer(await freePort());
    const options = { redisUrl: redis.url, redisPrefix: prefix, env: { REDIS_COMMAND_TIMEOUT_MS: '1000' } };
    return Promise.all([startRegistryProcess({ ...options, role: 'all' }), startRegistryProcess({ ...options, role: 'worker' })]);
  }

  it('answer /metrics within a second with a2a_redis_up 0 while Redis is stalled (SIGSTOP), and 1 once it goes on', async () => {
    const processes = await startBoth('a2a:{stall}:');
    for (const registry of processes) expect((await scrape(registry)).redisUp).toBe(1);
    redis!.process.kill('SIGSTOP');
    for (const registry of processes) await expectPromptScrapeWithRedisDown(registry);
    redis!.process.kill('SIGCONT');
    for (const registry of processes) await waitFor('a2a_redis_up 1 again', 5000, async () => (await scrape(registry)).redisUp === 1);
  });

  it('say a stalled write may or may not have been applied, and how to find out', async () => {
    const [api] = await startBoth('a2a:{stallwrite}:');
    redis!.process.kill('SIGSTOP');
    const res = await sendJson(`${api!.baseUrl}/agents/stalled`, 'PUT', { agent_card: cardV1({ name: 'Stalled' }) });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('write_outcome_unknown');
    expect(body.error.message).toMatch(/^Storage unavailable: the write may or may not have been applied\. Read the agent/);
    expect(body.error.message).toContain('Idempotency-Key');
    redis!.process.kill('SIGCONT');
  });

  it('answer a burst of writes sent while Redis is stalled within about one command timeout, each saying whether it may have been applied', async () => {
    const [api] = await startBoth('a2a:{stallburst}:');
    redis!.process.kill('SIGSTOP');
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 96 }, async (_, i) => {
        const res = await sendJson(`${api!.baseUrl}/agents`, 'POST', { agent_card: cardV1({ name: `Burst ${i}` }) });
        const body = (await res.json()) as { error: { code: string } };
        return { status: res.status, code: body.error.code, ms: performance.now() - started };
      }),
    );
    redis!.process.kill('SIGCONT');
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 503));
    // The saves sent may have run; the ones that waited behind them were never sent.
    expect(new Set(answers.map((answer) => answer.code))).toEqual(new Set(['write_outcome_unknown', 'unavailable']));
    expect(Math.max(...answers.map((answer) => answer.ms))).toBeLessThan(2500);
  });

  it('log one warning when an outage begins and one info line with its duration when it ends; /metrics answers during it', async () => {
    const processes = await startBoth('a2a:{outage}:');
    const port = Number(new URL(redis!.url).port);
    await redis!.stop();
    const [api] = processes;
    const res = await sendJson(`${api!.baseUrl}/agents`, 'POST', { agent_card: cardV1({ name: 'During' }) });
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(res.status).toBe(503);
    expect(body.error).toEqual({ code: 'unavailable', message: 'Storage unavailable: try again in a moment' });
    for (const registry of processes) await expectPromptScrapeWithRedisDown(registry);
    // Several reconnection attempts (every 2 s at most) fail meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    redis = await startRedisServer(port);
    for (const registry of processes) {
      const end = await registry.waitForLog(isOutageEnd, 10_000);
      expect(end.outageSeconds).toBeGreaterThan(4);
      // From the outage on; a Redis restarted empty is news of its own (the data set epoch).
      const begun = registry.logs().findIndex(isOutageStart);
      // Redis comes back empty: what it lost (the data set, the sweep's schedule) is news of its own.
      const lossNews = /Redis lost its data|sweep schedule was missing/;
      const warnings = registry.logs().slice(begun).filter((entry) => isAtLeast(entry, 'warn') && !lossNews.test(entry.msg));
      expect(warnings.map((entry) => entry.msg), registry.output()).toHaveLength(1);
      expect(isOutageStart(warnings[0]!)).toBe(true);
      expect(registry.logs().filter(isOutageEnd)).toHaveLength(1);
      expect(registry.output()).not.toMatch(/\n\s+at /);
      await waitFor('a2a_redis_up 1 again', 5000, async () => (await scrape(registry)).redisUp === 1);
    }
  });

  it('stop with exit code 0 on SIGTERM while Redis is stalled, within the shutdown deadline (10 s)', async () => {
    const processes = await startBoth('a2a:{termstall}:');
    redis!.process.kill('SIGSTOP');
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const registry of processes) {
      const started = Date.now();
      expect(await registry.stop('SIGTERM'), registry.output()).toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);
    }
  });

  it('stop with exit code 0 on SIGTERM while Redis is down', async () => {
    const processes = await startBoth('a2a:{termdown}:');
    await redis!.stop();
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const registry of processes) expect(await registry.stop('SIGTERM'), registry.output()).toBe(0);
  });
});

describe('a process whose port is taken', () => {
  afterAll(killLeftoverProcesses);

  it('logs one line naming the address and exits 1, without a stack trace', async () => {
    const first = await spawnRegistryProcess({ role: 'api', redisUrl: `redis://127.0.0.1:${await freePort()}`, redisPrefix: 'a2a:{port}:' });
    await first.waitForLog(isListening, 5000);
    const second = await spawnRegistryProcess({ role: 'api', redisUrl: `redis://127.0.0.1:${await freePort()}`, redisPrefix: 'a2a:{port}:' }, first.port);
    const exit = await second.exited;
    expect(exit.code, second.output()).toBe(1);
    const fatal = second.logs().filter((entry) => isAtLeast(entry, 'error'));
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatchObject({ code: 'EADDRINUSE', port: first.port });
    expect(fatal[0]!.msg).toBe(`Cannot listen on 127.0.0.1:${first.port}: the address is already in use`);
    expect(second.output()).not.toMatch(/\n\s+at /);
    expect(await first.stop('SIGTERM')).toBe(0);
  });
});

describe('a replica kept busy by many large pages at once', () => {
  let redis: LocalRedis | undefined;
  afterAll(async () => {
    await killLeftoverProcesses();
    await redis?.stop();
  });

  it('answers every request, and neither says nor logs that storage is unavailable while Redis answers', { timeout: 120_000 }, async () => {
    redis = await startRedisServer(await freePort());
    // No replica cache: every page is read from Redis (five 290 KB cards) and put together anew, with
    // the default 1 s command timeout. ioredis's own timeout failed about 290 of these 300 requests.
    const registry = await startRegistryProcess({
      role: 'api',
      redisUrl: redis.url,
      redisPrefix: 'a2a:{busy}:',
      // Debug: each 503 is logged with its cause, shown when the test fails.
      env: { CACHE_MAX_ENTRIES: '0', LOG_LEVEL: 'debug' },
    });
    const description = 'a large card that repeats its words '.repeat(8000);
    for (let i = 0; i < 5; i++) {
      expect((await sendJson(`${registry.baseUrl}/agents`, 'POST', { agent_card: cardV1({ name: `Large ${i}`, description }) })).status).toBe(201);
    }
    const statuses = await Promise.all(
      Array.from({ length: 300 }, async () => {
        const res = await fetch(`${registry.baseUrl}/agents?limit=5`);
        await res.arrayBuffer();
        return res.status;
      }),
    );
    expect(statuses.filter((status) => status !== 200), registry.output().slice(-6000)).toEqual([]);
    expect(registry.logs().filter(isOutageStart)).toEqual([]);
  });
});
