import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { useAgentHost } from '../helpers/agent-host.js';
import { cardV1 } from '../helpers/cards.js';
import { reasonOf, rpc } from '../helpers/jsonrpc.js';
import { sendJson } from '../helpers/registry-server.js';
import { useRegistry } from '../helpers/use-registry.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Body = Record<string, any>;

const hostedCard = (origin: string, version = '1.0.0') =>
  cardV1({ name: 'Pinged Agent', version, supportedInterfaces: [{ url: `${origin}/a2a`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' }] });

describe('ping_agent, on a registry allowed to reach loopback http (test mode)', () => {
  const host = useAgentHost();
  const ctx = useRegistry({ OUTBOUND_ALLOW_HTTP: 'true', OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true' });
  let revision: number;

  beforeAll(async () => {
    const card = hostedCard(host.origin);
    host.state.card = JSON.stringify(card, null, 2);
    const res = await sendJson(`${ctx.base}/agents`, 'POST', { agent_card: card });
    revision = ((await res.json()) as Body).revision;
  });

  it('fetches the card from the agent and reports it reachable, with its latency and no drift', async () => {
    const before = host.state.requests;
    const { result } = await rpc(ctx.base, 'ping_agent', { agent_id: 'pinged-agent' });
    expect(host.state.requests).toBe(before + 1);
    expect(result).toMatchObject({ agent_id: 'pinged-agent', url: `${host.origin}/a2a`, reachable: true, card_drift: false });
    expect(result.latency_ms).toBeGreaterThanOrEqual(0);
    expect(Number.isNaN(Date.parse(result.checked_at))).toBe(false);
  });

  it('reports drift when the agent now serves another card, and stores nothing', async () => {
    host.state.card = JSON.stringify(hostedCard(host.origin, '2.0.0'));
    const { result } = await rpc(ctx.base, 'ping_agent', { agent_id: 'pinged-agent' });
    expect(result).toMatchObject({ reachable: true, card_drift: true });
    const stored = (await (await fetch(`${ctx.base}/agents/pinged-agent`)).json()) as Body;
    expect(stored.revision).toBe(revision);
    expect(stored.agent_card.version).toBe('1.0.0');
  });

  it('reports an agent whose card does not answer as unreachable, with the reason', async () => {
    host.state.status = 503;
    try {
      const res = await fetch(`${ctx.base}/agents/pinged-agent/ping`, { method: 'POST' });
      expect(res.status).toBe(200);
      const body = (await res.json()) as Body;
      expect(body).toMatchObject({ reachable: false, card_drift: null, error: { code: 'upstream_error' } });
      expect(body.latency_ms).toBeGreaterThanOrEqual(0);
    } finally {
      host.state.status = 200;
    }
  });

  it('reports a closed port as unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await sendJson(`${ctx.base}/agents/gone-agent`, 'PUT', { agent_card: hostedCard(origin) });
    const { result } = await rpc(ctx.base, 'ping_agent', { agent_id: 'gone-agent' });
    expect(result).toMatchObject({ reachable: false, error: { code: 'upstream_error', reason: 'connection_failed' } });
  });

  it('answers an unknown agent with -32001 and 404', async () => {
    expect((await rpc(ctx.base, 'ping_agent', { agent_id: 'no-such-agent' })).error?.code).toBe(-32001);
    expect((await fetch(`${ctx.base}/agents/no-such-agent/ping`, { method: 'POST' })).status).toBe(404);
  });

  it('refuses params it does not know with -32602', async () => {
    const answer = await rpc(ctx.base, 'ping_agent', { agent_id: 'pinged-agent', timeout: 5 });
    expect(answer.error?.code).toBe(-32602);
    expect(reasonOf(answer)).toBe('validation_failed');
  });
});

describe('ping_agent on a registry with the default outbound policy', () => {
  const host = useAgentHost();
  const ctx = useRegistry();

  it('never reaches a loopback address: the ping says why, and the agent got no request', async () => {
    host.state.card = JSON.stringify(hostedCard(host.origin));
    await sendJson(`${ctx.base}/agents`, 'POST', { agent_card: hostedCard(host.origin) });
    const { result } = await rpc(ctx.base, 'ping_agent', { agent_id: 'pinged-agent' });
    expect(result).toMatchObject({ reachable: false, error: { code: 'url_not_allowed' } });
    expect(host.state.requests).toBe(0);
  });
});
