/**
 * Register-by-URL and the worker's refreshes ask agents for their A2A 1.0 card, and the stored format
 * label follows the card's shape. The agent is a real `@a2a-js/sdk` card handler with 0.3
 * compatibility on loopback: it answers a 0.3 card (with the 1.0 interfaces embedded) unless asked
 * for 1.0.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { agentCardHandler } from '@a2a-js/sdk/server/express';
import type { AgentCard } from '@a2a-js/sdk';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson } from '../helpers/registry-server.js';
import { useRegistry } from '../helpers/use-registry.js';
import { until } from '../helpers/until.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (response: Response): Promise<any> => response.json();

interface SeenRequest {
  version: string | undefined;
  accept: string | undefined;
}

/** An SDK agent on loopback whose card (description) the test can change, recording each card request's headers. */
function sdkAgent() {
  const state = { description: 'First description', seen: [] as SeenRequest[], origin: '' };
  let server: Server;
  const card = (): AgentCard =>
    ({
      name: 'Compat Agent',
      description: state.description,
      version: '1.0.0',
      supportedInterfaces: [
        { url: `${state.origin}/a2a`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
        { url: `${state.origin}/a2a`, protocolBinding: 'JSONRPC', protocolVersion: '0.3' },
      ],
      capabilities: { streaming: false },
      defaultInputModes: ['text/plain'],
      defaultOutputModes: ['text/plain'],
      skills: [{ id: 'echo', name: 'Echo', description: 'Echoes text', tags: ['echo'] }],
    }) as unknown as AgentCard;
  beforeAll(async () => {
    const app = express();
    app.use('/.well-known/agent-card.json', (req, _res, next) => {
      state.seen.push({ version: req.header('a2a-version'), accept: req.header('accept') });
      next();
    });
    app.use('/.well-known/agent-card.json', agentCardHandler({ agentCardProvider: async () => card(), legacyCompat: { enabled: true } }));
    await new Promise<void>((resolve) => {
      server = app.listen(0, '127.0.0.1', () => resolve());
    });
    state.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return state;
}

describe('card version negotiation with an SDK agent that also speaks 0.3', () => {
  const agent = sdkAgent();
  const registry = useRegistry({
    OUTBOUND_ALLOW_HTTP: 'true',
    OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true',
    SWEEP_INTERVAL_SECONDS: '1',
    CARD_REFRESH_INTERVAL_SECONDS: '1',
  });

  it('register-by-URL asks for A2A 1.0 and stores the 1.0 card labelled a2a-1.0', async () => {
    const response = await sendJson(`${registry.base}/agents/register-url`, 'POST', { url: agent.origin });
    expect(response.status).toBe(201);
    expect(agent.seen.at(-1)).toEqual({ version: '1.0', accept: 'application/a2a+json, application/json' });
    const record = await json(await fetch(`${registry.base}/agents/compat-agent`));
    expect(record.format).toBe('a2a-1.0');
    expect(record.agent_card).not.toHaveProperty('protocolVersion');
  });

  it('refreshes ask for A2A 1.0 too, and keep the 1.0 card', async () => {
    const before = agent.seen.length;
    agent.description = 'Second description';
    const record = await until(
      async () => json(await fetch(`${registry.base}/agents/compat-agent`)),
      (read) => read.agent_card.description === 'Second description',
    );
    expect(record.agent_card.description).toBe('Second description');
    expect(record.format).toBe('a2a-1.0');
    const refreshes = agent.seen.slice(before);
    expect(refreshes.length).toBeGreaterThan(0);
    for (const seen of refreshes) expect(seen).toEqual({ version: '1.0', accept: 'application/a2a+json, application/json' });
  });

  it('labels the 0.3 card the same agent serves without the header a2a-0.3, though it embeds 1.0 interfaces', async () => {
    const compat = await json(await fetch(`${agent.origin}/.well-known/agent-card.json`));
    expect(compat).toMatchObject({ protocolVersion: '0.3', url: `${agent.origin}/a2a` });
    expect(compat).toHaveProperty('supportedInterfaces');
    const created = await json(await sendJson(`${registry.base}/agents/compat-0-3`, 'PUT', { agent_card: compat }));
    expect(created.format).toBe('a2a-0.3');
    expect((await json(await fetch(`${registry.base}/agents/compat-0-3`))).format).toBe('a2a-0.3');
  });
});
