import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { createSafeFetcher } from '../../src/outbound/safe-fetch.js';
import { AgentProber } from '../../src/probes/agent-prober.js';
import { ProbeRunner, type ProbeSettings } from '../../src/probes/probe-runner.js';
import type { AgentStore } from '../../src/store/agent-store.js';
import { RedisAgentStore } from '../../src/store/redis-agent-store.js';
import { redisKeys } from '../../src/store/redis-keys.js';
import { storedCards } from '../../src/agents/stored-cards.js';
import { probeCard, startHost, type PlainHost } from '../helpers/probe-agents.js';
import { connect, deleteKeys, uniquePrefix } from '../helpers/redis.js';
import { storeBackends as backends, writeOf } from '../helpers/store-backends.js';

const logger = createLogger('silent', false);
const fetcher = () => createSafeFetcher({ allowHttp: true, allowPrivateNetworks: true, connectTimeoutMs: 2000, totalTimeoutMs: 2000 });
const BASE: ProbeSettings = { intervalMs: 3_600_000, maxBackoffMs: 86_400_000, ratePerSecond: 100, originConcurrency: 2, timeoutMs: 2000, runMs: 30_000 };

/**
 * One origin that serves each agent's card at `/cards/{id}.json` and answers JSON-RPC at `/rpc/{id}`
 * after `delayMs`, recording how many requests were in flight at most, overall and per agent,
 * and when each probe's card request came.
 */
async function countingOrigin(delayMs: number) {
  const seen = { inFlight: 0, maxInFlight: 0, perAgent: new Map<string, number>(), maxPerAgent: 0, cardFetches: [] as number[], cardsByAgent: new Map<string, number>() };
  let host: PlainHost | undefined;
  host = await startHost((req, res) => {
    const agent = /^\/(?:cards|rpc)\/([\w-]+?)(?:\.json)?$/.exec(req.url ?? '')?.[1] ?? 'unknown';
    seen.inFlight++;
    seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
    seen.perAgent.set(agent, (seen.perAgent.get(agent) ?? 0) + 1);
    seen.maxPerAgent = Math.max(seen.maxPerAgent, seen.perAgent.get(agent) ?? 0);
    if (req.method === 'GET') {
      seen.cardFetches.push(Date.now());
      seen.cardsByAgent.set(agent, (seen.cardsByAgent.get(agent) ?? 0) + 1);
    }
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk));
    req.on('end', () =>
      setTimeout(() => {
        seen.inFlight--;
        seen.perAgent.set(agent, (seen.perAgent.get(agent) ?? 1) - 1);
        if (req.method === 'GET') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(probeCard(agent, `${host?.origin}/rpc/${agent}`)));
        const { id } = JSON.parse(body) as { id: string };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32001, message: 'Task not found' } }));
      }, delayMs),
    );
  });
  return { seen, host };
}

/** Most card requests (one per probe) that began within any one second. */
function mostPerSecond(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let start = 0, end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= 1000) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

describe.each(backends.map((backend) => [backend.name, backend] as const))('%s probe budget', (_name, { open }) => {
  let store: AgentStore;
  let close: () => Promise<void>;
  beforeEach(async () => {
    ({ store, close } = await open());
  });
  afterEach(async () => {
    await close();
  });

  it('keeps 200 agents of one origin within the per-origin concurrency and the global rate', async () => {
    const { seen, host } = await countingOrigin(5);
    try {
      const now = new Date().toISOString();
      for (let i = 0; i < 200; i++) {
        const id = `agent-${i}`;
        await store.save(writeOf(id, probeCard(id, `${host.origin}/rpc/${id}`), now, { source: { url: `${host.origin}/cards/${id}.json`, nextRefreshAt: new Date(Date.now() + 3_600_000) } }));
      }
      const started = Date.now();
      const outcome = await new ProbeRunner(store, new AgentProber(fetcher()), BASE, new Metrics().watchProbes(), logger).run();
      const tookMs = Date.now() - started;
      expect(outcome.probed).toBe(200);
      expect(seen.maxInFlight).toBeLessThanOrEqual(2);
      expect(seen.maxInFlight).toBe(2);
      expect(mostPerSecond(seen.cardFetches)).toBeLessThanOrEqual(101);
      // 200 probes at 100 a second take about two seconds, never much less.
      expect(tookMs).toBeGreaterThanOrEqual(1900);
      expect((await store.get('agent-199'))?.probe?.result.status).toBe('ok');
    } finally {
      await host.close();
    }
  });
});

describe('two probe runners on one Redis', () => {
  const prefix = uniquePrefix();
  const connections = [connect(), connect()];
  const stores = connections.map((connection) => new RedisAgentStore(connection, redisKeys(prefix), storedCards));
  let origin: Awaited<ReturnType<typeof countingOrigin>>;

  beforeAll(async () => {
    origin = await countingOrigin(3);
  });
  afterAll(async () => {
    await origin.host.close();
    await deleteKeys(connections[0]!, prefix);
    await Promise.all(stores.map((store) => store.close()));
  });

  it('never probe the same agent at the same time, and probe each due agent once', async () => {
    const { host, seen } = origin;
    const now = new Date().toISOString();
    for (let i = 0; i < 60; i++) {
      const id = `agent-${i}`;
      await stores[0]!.save(writeOf(id, probeCard(id, `${host.origin}/rpc/${id}`), now, { source: { url: `${host.origin}/cards/${id}.json`, nextRefreshAt: new Date(Date.now() + 3_600_000) } }));
    }
    // Small claims, so that the two runners take turns at the schedule.
    const settings = { ...BASE, ratePerSecond: 1000, originConcurrency: 8, claimSize: 5 };
    const runners = stores.map((store) => new ProbeRunner(store, new AgentProber(fetcher()), settings, new Metrics().watchProbes(), logger));
    const outcomes = await Promise.all(runners.map((runner) => runner.run()));
    expect(outcomes.map((outcome) => outcome.probed).reduce((a, b) => a + b)).toBe(60);
    expect(outcomes.every((outcome) => outcome.probed > 0)).toBe(true);
    expect(seen.maxPerAgent).toBe(1);
    expect([...seen.cardsByAgent.values()].every((count) => count === 1)).toBe(true);
    expect(seen.cardsByAgent.size).toBe(60);
  });
});
