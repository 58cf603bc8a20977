/**
 * The registry as an A2A agent: its card advertises only the JSON-RPC binding and the skill of
 * finding agents, and the real `@a2a-js/sdk` client, reading that card, gets the matches back.
 */
import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Role, type Message, type SendMessageRequest } from '@a2a-js/sdk';
import { ClientFactory } from '@a2a-js/sdk/client';
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/auth/authenticators.js';
import { cardV1 } from '../helpers/cards.js';
import { sendJson } from '../helpers/registry-server.js';
import { useRegistry } from '../helpers/use-registry.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (response: Response): Promise<any> => response.json();

/** A loopback port free now, so the registry can be told its public URL before it listens. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const state = { port: 0 };
beforeAll(async () => {
  state.port = await freePort();
});

const registry = useRegistry(() => ({ PORT: String(state.port), PUBLIC_URL: `http://127.0.0.1:${state.port}` }));

function request(text: string, metadata?: Record<string, unknown>): SendMessageRequest {
  return {
    tenant: '',
    message: {
      messageId: randomUUID(),
      contextId: 'ctx-1',
      taskId: '',
      role: Role.ROLE_USER,
      parts: [{ content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: '' }],
      metadata: undefined,
      extensions: [],
      referenceTaskIds: [],
    },
    configuration: undefined,
    metadata,
  };
}

function matchesOf(message: Message): Array<{ agent_id: string; card_url: string }> {
  const data = message.parts.find((part) => part.content?.$case === 'data')?.content?.value as { matches: Array<{ agent_id: string; card_url: string }> };
  return data.matches;
}

describe('the registry as an A2A agent', () => {
  beforeAll(async () => {
    for (const [name, tag] of [['Weather Forecaster', 'forecast'], ['Storm Watch', 'forecast'], ['Document Translator', 'translation']]) {
      // A description of its own: the default one speaks of forecasts, which "forecast" finds by prefix.
      const card = cardV1({ name, description: `The ${name}`, skills: [{ id: tag, name: tag, description: `${name} skill`, tags: [tag] }] });
      expect((await sendJson(`${registry.base}/agents`, 'POST', { agent_card: card })).status).toBe(201);
    }
  });

  it('advertises only the JSON-RPC binding it serves, and the one skill it answers', async () => {
    const card = await json(await fetch(`${registry.base}/.well-known/agent-card.json`));
    expect(card.supportedInterfaces).toEqual([{ url: `${registry.base}/jsonrpc`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' }]);
    expect(card.skills.map((skill: { id: string }) => skill.id)).toEqual(['find_agents']);
  });

  it('advertises its ARD API base and AI Catalog in an optional extension of its card', async () => {
    const card = await json(await fetch(`${registry.base}/.well-known/agent-card.json`));
    expect(card.capabilities.extensions).toEqual([
      expect.objectContaining({ uri: 'https://github.com/ards-project/ard-spec', required: false, params: expect.objectContaining({ ardApiBase: expect.stringMatching(/\/ard\/v1$/) }) }),
    ]);
  });

  it('answers the SDK client, which reads its card, with the best matches as a data part', async () => {
    const client = await new ClientFactory().createFromUrl(registry.base);
    const answer = (await client.sendMessage(request('forecast'))) as Message;
    expect(answer.role).toBe(Role.ROLE_AGENT);
    expect(answer.contextId).toBe('ctx-1');
    const matches = matchesOf(answer);
    expect(matches.map((match) => match.agent_id).sort()).toEqual(['storm-watch', 'weather-forecaster']);
    expect(matches[0]?.card_url).toBe(`${registry.base}/agents/${matches[0]?.agent_id}/card`);
    expect(answer.parts[0]?.content).toMatchObject({ $case: 'text' });
  });

  it('answers a question in words when no agent matches all of them, within the page size asked for', async () => {
    const client = await new ClientFactory().createFromUrl(registry.base);
    const answer = (await client.sendMessage(request('who can do translation for me', { pageSize: 1 }))) as Message;
    expect(matchesOf(answer).map((match) => match.agent_id)).toEqual(['document-translator']);
  });

  it('answers text alone to a caller that accepts only text', async () => {
    const response = await json(
      await sendJson(`${registry.base}/jsonrpc`, 'POST', {
        jsonrpc: '2.0',
        id: 1,
        method: 'SendMessage',
        params: { message: { messageId: 'm1', role: 'ROLE_USER', parts: [{ text: 'forecast' }] }, configuration: { acceptedOutputModes: ['text/plain'] } },
      }),
    );
    expect(response.result.message.parts).toEqual([{ text: expect.stringContaining('storm-watch') }]);
  });

  it('refuses a message without text with a JSON-RPC invalid-params error', async () => {
    const response = await json(
      await sendJson(`${registry.base}/jsonrpc`, 'POST', {
        jsonrpc: '2.0',
        id: 1,
        method: 'SendMessage',
        params: { message: { messageId: 'm1', role: 'ROLE_USER', parts: [{ data: { q: 1 } }] } },
      }),
    );
    expect(response.error.code).toBe(-32602);
    const bad = await json(await sendJson(`${registry.base}/jsonrpc`, 'POST', { jsonrpc: '2.0', id: 2, method: 'SendMessage', params: { message: 'hi' } }));
    expect(bad.error.code).toBe(-32602);
  });
});

describe('the registry as an A2A agent when reads need credentials', () => {
  const key = 'reader-secret-key';
  const guarded = useRegistry({ AUTH_MODE: 'apikey', READS_REQUIRE_AUTH: 'true', API_KEYS: `reader:publisher:${sha256Hex(key)}` });
  const ask = (headers: Record<string, string>) =>
    sendJson(
      `${guarded.base}/jsonrpc`,
      'POST',
      { jsonrpc: '2.0', id: 1, method: 'SendMessage', params: { message: { messageId: 'm1', role: 'ROLE_USER', parts: [{ text: 'weather' }] } } },
      headers,
    );

  it('says on its card which credentials SendMessage needs, and needs them', async () => {
    const card = await json(await fetch(`${guarded.base}/.well-known/agent-card.json`));
    expect(Object.keys(card.securitySchemes).sort()).toEqual(['apiKey', 'bearer']);
    expect(card.securitySchemes.apiKey.apiKeySecurityScheme).toMatchObject({ location: 'header', name: 'X-API-Key' });
    expect(card.securityRequirements).toEqual([{ schemes: { bearer: { list: [] } } }, { schemes: { apiKey: { list: [] } } }]);
    expect((await ask({})).status).toBe(401);
    const answer = await json(await ask({ 'X-API-Key': key }));
    expect(answer.result.message.role).toBe('ROLE_AGENT');
    expect((await json(await ask({ Authorization: `Bearer ${key}` }))).result.message.parts).toHaveLength(2);
  });

  it('declares no credentials when reads are public', async () => {
    const card = await json(await fetch(`${registry.base}/.well-known/agent-card.json`));
    expect(card).not.toHaveProperty('securitySchemes');
    expect(card).not.toHaveProperty('securityRequirements');
  });
});
