import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rpc } from '../helpers/jsonrpc.js';
import { probeCard, refusingOrigin, startSdkAgent, type SdkAgent } from '../helpers/probe-agents.js';
import { sendJson } from '../helpers/registry-server.js';
import { useRegistry } from '../helpers/use-registry.js';
import { until } from '../helpers/until.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const json = (response: Response): Promise<any> => response.json();

describe('probes seen through the API of a registry whose worker probes (loopback allowed in test mode)', () => {
  let agent: SdkAgent;
  let refused = '';
  beforeAll(async () => {
    agent = await startSdkAgent('Live Agent');
    refused = await refusingOrigin();
  });
  afterAll(() => agent.close());
  const registry = useRegistry({
    OUTBOUND_ALLOW_HTTP: 'true',
    OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true',
    SWEEP_INTERVAL_SECONDS: '1',
    PROBE_ENABLED: 'true',
    PROBE_INTERVAL_SECONDS: '1',
    PROBE_TIMEOUT_MS: '1000',
  });

  it('shows the probe on the record, over REST and JSON-RPC, once the worker probed the agent', async () => {
    expect((await sendJson(`${registry.base}/agents`, 'POST', { agent_card: agent.card })).status).toBe(201);
    const record = await until(() => fetch(`${registry.base}/agents/live-agent`).then(json), (body) => body.probe?.status === 'ok');
    expect(record.probe).toMatchObject({ status: 'ok', transport: 'ok', card_drift: null, error: null, latency_ms: expect.any(Number), checked_at: expect.any(String) });
    const camel = await rpc(registry.base, 'GetAgentCard', { agent_id: 'live-agent' });
    expect(camel.result.probe).toMatchObject({ status: 'ok', cardDrift: null, latencyMs: expect.any(Number) });
    expect(agent.executions.count).toBe(0);
  });

  it('filters listings and searches by probe_status, and shows it in their results', async () => {
    await sendJson(`${registry.base}/agents`, 'POST', { agent_card: probeCard('Dead Agent', `${refused}/rpc`) });
    await until(() => fetch(`${registry.base}/agents/dead-agent`).then(json), (body) => body.probe?.status === 'unreachable');
    const ok = await json(await fetch(`${registry.base}/agents?probe_status=ok`));
    expect(ok.results.map((r: any) => [r.agent_id, r.probe_status])).toEqual([['live-agent', 'ok']]);
    const dead = await rpc(registry.base, 'search_agents', { probe_status: 'unreachable', q: 'agent' });
    expect(dead.result.results.map((r: any) => r.agent_id)).toEqual(['dead-agent']);
    const none = await json(await fetch(`${registry.base}/agents?probe_status=ok&probe_status=unreachable`));
    expect(none.results).toEqual([]);
  });

  it('shows the probe in AI Catalog entries and filters ARD searches by probeStatus', async () => {
    await until(() => fetch(`${registry.base}/agents/dead-agent`).then(json), (body) => body.probe?.status === 'unreachable');
    const found = await json(await sendJson(`${registry.base}/ard/v1/search`, 'POST', { query: { text: 'agent', filter: { probeStatus: 'ok' } } }));
    expect(found.results.map((entry: any) => [entry.metadata.agentId, entry.metadata.probeStatus])).toEqual([['live-agent', 'ok']]);
    expect(found.results[0].metadata.probeCheckedAt).toEqual(expect.any(String));
  });

  it('backs off further with each failure in a row, though the replica caches the record', async () => {
    const failures = async () => {
      const detail = await registry.redis.hget(`${registry.prefix}agent:dead-agent`, 'pr');
      return detail ? (JSON.parse(detail) as unknown[])[2] : 0;
    };
    // Waits of 2 and then 4 intervals of 1 s: the third failure comes about 7 s after the first.
    expect(await until(failures, (count) => count === 3, 15_000)).toBe(3);
  }, 20_000);

  it('tells status changes in the change log, filtered by kind and by probe_status', async () => {
    const changes = await json(await fetch(`${registry.base}/changes?kind=probe_changed`));
    expect(changes.changes.map((c: any) => [c.agent_id, c.probe_status])).toEqual([
      ['live-agent', 'ok'],
      ['dead-agent', 'unreachable'],
    ]);
    // An agent whose probe status left the filter comes marked, so that a reader holding it drops it.
    const okOnly = await json(await fetch(`${registry.base}/changes?kind=probe_changed&probe_status=ok`));
    expect(okOnly.changes.map((c: any) => [c.agent_id, c.filter_match])).toEqual([
      ['live-agent', true],
      ['dead-agent', false],
    ]);
  });

  it('exports probe counts by status, their latency and the due lag', async () => {
    const text = await (await fetch(`${registry.base}/metrics`)).text();
    expect(text).toMatch(/a2a_probe_results_total\{status="ok"\} [1-9]/);
    expect(text).toMatch(/a2a_probe_results_total\{status="unreachable"\} [1-9]/);
    expect(text).toMatch(/a2a_probe_duration_seconds_count [1-9]/);
    expect(text).toMatch(/a2a_probe_due_lag_seconds \d/);
  });
});
