import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Metrics, type ProbeMetrics } from '../../src/metrics/metrics.js';
import { createSafeFetcher } from '../../src/outbound/safe-fetch.js';
import { AgentProber } from '../../src/probes/agent-prober.js';
import { ProbeRunner, type ProbeSettings } from '../../src/probes/probe-runner.js';
import { NO_PROBE_EXTENSION } from '../../src/probes/probe-target.js';
import { createLogger } from '../../src/logger.js';
import type { AgentStore } from '../../src/store/agent-store.js';
import type { ProbeStatus } from '../../src/store/probe-outcome.js';
import { probeCard, refusingOrigin, startHost, startSdkAgent, type PlainHost, type SdkAgent } from '../helpers/probe-agents.js';
import { idsMatching, storeBackends as backends, writeOf } from '../helpers/store-backends.js';

const TIMEOUT_MS = 300;
const SETTINGS: ProbeSettings = { intervalMs: 3_600_000, maxBackoffMs: 86_400_000, ratePerSecond: 200, originConcurrency: 4, timeoutMs: TIMEOUT_MS, runMs: 10_000 };
/** Loopback is allowed only here, in the test's fetcher, as the register-by-URL tests do. */
const loopbackFetcher = () => createSafeFetcher({ allowHttp: true, allowPrivateNetworks: true, connectTimeoutMs: TIMEOUT_MS, totalTimeoutMs: TIMEOUT_MS });
const logger = createLogger('silent', false);

async function counted(metrics: Metrics, status: ProbeStatus): Promise<number> {
  const metric = await metrics.registry.getSingleMetric('a2a_probe_results_total')?.get();
  return metric?.values.find((value) => value.labels.status === status)?.value ?? 0;
}

describe.each(backends.map((backend) => [backend.name, backend] as const))('%s probes of local agents', (_name, { open }) => {
  let store: AgentStore;
  let close: () => Promise<void>;
  let metrics: Metrics;
  let probeMetrics: ProbeMetrics;
  const agents: Record<string, SdkAgent> = {};
  const hosts: Record<string, PlainHost> = {};
  let refused = '';

  beforeAll(async () => {
    agents.jsonRpc = await startSdkAgent('Rpc Agent');
    agents.rest = await startSdkAgent('Rest Agent', 'HTTP+JSON');
    agents.grpc = await startSdkAgent('Grpc Agent', 'GRPC');
    agents.drifted = await startSdkAgent('Drifted Agent');
    hosts.slow = await startHost((_req, res) => void setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'), TIMEOUT_MS * 2));
    hosts.hang = await startHost(() => {});
    hosts.forbidden = await startHost((_req, res) => void res.writeHead(403, { 'content-type': 'application/json' }).end('{"error":"no"}'));
    hosts.busy = await startHost((_req, res) => void res.writeHead(429, { 'retry-after': '120' }).end());
    hosts.notA2a = await startHost((req, res) => {
      if (req.method === 'GET') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(probeCard('Not A2a', `${hosts.notA2a?.origin}/rpc`)));
      res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not found</h1>');
    });
    hosts.optedOut = await startHost((_req, res) => void res.writeHead(500).end());
    refused = await refusingOrigin();
  });
  afterAll(async () => {
    await Promise.all([...Object.values(agents), ...Object.values(hosts)].map((server) => server.close()));
  });
  beforeEach(async () => {
    ({ store, close } = await open());
    metrics = new Metrics();
    probeMetrics = metrics.watchProbes();
  });
  afterEach(async () => {
    await close();
  });

  const runner = (settings: Partial<ProbeSettings> = {}, fetcher = loopbackFetcher()) =>
    new ProbeRunner(store, new AgentProber(fetcher), { ...SETTINGS, ...settings }, probeMetrics, logger);
  const register = (id: string, card: Record<string, unknown>) => store.save(writeOf(id, card, new Date().toISOString()));

  it('finds a real A2A agent ok over JSON-RPC and HTTP+JSON without starting a task, with no drift', async () => {
    await register('rpc', agents.jsonRpc!.card);
    await register('rest', agents.rest!.card);
    await runner().run();
    for (const id of ['rpc', 'rest']) {
      const probe = (await store.get(id))?.probe?.result;
      expect(probe).toMatchObject({ status: 'ok', transport: 'ok', cardDrift: null, error: null });
      expect(probe?.latencyMs).toBeGreaterThanOrEqual(0);
    }
    expect(agents.jsonRpc!.executions.count + agents.rest!.executions.count).toBe(0);
    expect(await idsMatching(store, ['probe:ok'])).toEqual(['rpc', 'rest']);
    expect(await counted(metrics, 'ok')).toBe(2);
    const events = (await store.readChanges(undefined, 100)).events.filter((event) => event.kind === 'probe_changed');
    expect(events.map((event) => [event.agentId, event.probe?.status])).toEqual([['rpc', 'ok'], ['rest', 'ok']]);
  });

  it('marks the transport check of a gRPC interface unsupported, the agent ok by its card', async () => {
    await register('grpc', agents.grpc!.card);
    await runner().run();
    expect((await store.get('grpc'))?.probe?.result).toMatchObject({ status: 'ok', transport: 'unsupported' });
  });

  it('tells the fields of a card that drifted from the stored one', async () => {
    const stored = { ...agents.drifted!.card, description: 'What it said before', skills: [...(agents.drifted!.card.skills as object[]), { id: 'gone', name: 'Gone', description: 'Removed since', tags: ['x'] }] };
    await register('drifted', stored);
    await runner().run();
    expect((await store.get('drifted'))?.probe?.result).toMatchObject({
      status: 'ok',
      cardDrift: { added: [], removed: ['skills[gone]'], changed: ['description'], truncated: false },
    });
  });

  it('finds an interface that answers no A2A reply degraded', async () => {
    await register('not-a2a', probeCard('Not A2a', `${hosts.notA2a!.origin}/rpc`));
    await runner().run();
    expect((await store.get('not-a2a'))?.probe?.result).toMatchObject({ status: 'degraded', transport: 'failed', error: { code: 'no_protocol_reply' } });
    expect(await idsMatching(store, ['probe:degraded'])).toEqual(['not-a2a']);
  });

  it('times out an agent that answers too slowly, and one that never answers', async () => {
    await register('slow', probeCard('Slow', `${hosts.slow!.origin}/rpc`));
    await register('hang', probeCard('Hang', `${hosts.hang!.origin}/rpc`));
    const started = Date.now();
    await runner().run();
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS * 6);
    for (const id of ['slow', 'hang']) expect((await store.get(id))?.probe?.result).toMatchObject({ status: 'timeout', error: { code: 'total_timeout' } });
    expect(await counted(metrics, 'timeout')).toBe(2);
  });

  it('finds a refused connection unreachable and a 403 refused, and backs off', async () => {
    await register('gone', probeCard('Gone', `${refused}/rpc`));
    await register('forbidden', probeCard('Forbidden', `${hosts.forbidden!.origin}/rpc`));
    const before = Date.now();
    await runner({ intervalMs: 10_000 }).run();
    expect((await store.get('gone'))?.probe).toMatchObject({ result: { status: 'unreachable', error: { code: 'connection_failed' } }, failures: 1 });
    expect((await store.get('forbidden'))?.probe).toMatchObject({ result: { status: 'refused', error: { code: 'http_403' } }, failures: 1 });
    // One failure doubles the interval: nothing is due before 20 s.
    expect((await store.claimProbes(new Date(before + 19_000), 10, 1000)).ids).toEqual([]);
    expect((await store.claimProbes(new Date(Date.now() + 20_000), 10, 1000)).ids.sort()).toEqual(['forbidden', 'gone']);
  });

  it('honours a Retry-After: the agent waits for it, and the other agents of its origin are not probed meanwhile', async () => {
    for (const id of ['busy-1', 'busy-2', 'busy-3']) await register(id, probeCard(id, `${hosts.busy!.origin}/rpc/${id}`));
    hosts.busy!.requests.length = 0;
    const before = Date.now();
    const outcome = await runner({ originConcurrency: 1, intervalMs: 1000 }).run();
    expect(hosts.busy!.requests).toHaveLength(1);
    expect(outcome).toMatchObject({ probed: 1, deferred: 2 });
    expect((await store.claimProbes(new Date(before + 119_000), 10, 1000)).ids).toEqual([]);
    expect((await store.claimProbes(new Date(Date.now() + 120_000), 10, 1000)).ids).toHaveLength(3);
    const probed = (await Promise.all(['busy-1', 'busy-2', 'busy-3'].map((id) => store.get(id)))).flatMap((record) => record?.probe ?? []);
    expect(probed).toEqual([expect.objectContaining({ result: expect.objectContaining({ status: 'refused', error: expect.objectContaining({ code: 'http_429' }) }) })]);
  });

  it('sends nothing to an agent whose card opts out', async () => {
    const card = probeCard('Private', `${hosts.optedOut!.origin}/rpc`, 'JSONRPC', { capabilities: { streaming: false, extensions: [{ uri: NO_PROBE_EXTENSION }] } });
    await register('private', card);
    await runner().run();
    expect(hosts.optedOut!.requests).toEqual([]);
    expect((await store.get('private'))?.probe?.result).toMatchObject({ status: 'opted_out', latencyMs: null });
  });

  it('sends nothing the address policy refuses', async () => {
    await register('rpc', agents.jsonRpc!.card);
    await runner({}, createSafeFetcher({ allowHttp: true })).run();
    expect((await store.get('rpc'))?.probe?.result).toMatchObject({ status: 'blocked', latencyMs: null, error: { code: 'address_not_allowed' } });
  });

  it('tells a change of status only: a second ok probe adds no event, an outage does', async () => {
    await register('rpc', agents.jsonRpc!.card);
    await runner({ intervalMs: 1 }).run();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await runner({ intervalMs: 1 }).run();
    const kinds = () => store.readChanges(undefined, 100).then((read) => read.events.filter((e) => e.kind === 'probe_changed').map((e) => e.probe));
    expect(await kinds()).toEqual([{ status: 'ok' }]);
    const card = { ...agents.jsonRpc!.card, supportedInterfaces: [{ url: `${refused}/rpc`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' }] };
    await register('rpc', card);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await runner({ intervalMs: 1 }).run();
    expect(await kinds()).toEqual([{ status: 'ok' }, { status: 'unreachable', previous: 'ok' }]);
  });
});
