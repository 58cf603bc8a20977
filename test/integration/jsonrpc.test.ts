import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCard } from '../../src/card/card-validation.js';
import { cardV03, cardV1, legacyCard } from '../helpers/cards.js';
import { connect, deleteKeys, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { sendJson, startRegistry, type RunningRegistry } from '../helpers/registry-server.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Body = Record<string, any>;

interface RpcError {
  code: number;
  message: string;
  data?: unknown[];
}

interface RpcResponse {
  jsonrpc: string;
  id: string | number | null;
  result?: Body;
  error?: RpcError;
}

const prefix = uniquePrefix();
const redis = connect();
let running: RunningRegistry;
let base: string;

beforeAll(async () => {
  running = await startRegistry({ REDIS_URL: redisUrl(), REDIS_PREFIX: prefix });
  base = running.baseUrl;
});
afterAll(async () => {
  await running.close();
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

/** POSTs a body (object or exact JSON text) to /jsonrpc and returns the HTTP status and the raw text. */
async function post(body: unknown): Promise<{ status: number; text: string }> {
  const res = await sendJson(`${base}/jsonrpc`, 'POST', body);
  return { status: res.status, text: await res.text() };
}

let nextId = 1;

/** One JSON-RPC call that must be answered; returns its response object. */
async function call(method: string, params?: unknown): Promise<RpcResponse> {
  const id = nextId++;
  const { status, text } = await post({ jsonrpc: '2.0', id, method, ...(params !== undefined ? { params } : {}) });
  expect(status).toBe(200);
  const response = JSON.parse(text) as RpcResponse;
  expect(response.jsonrpc).toBe('2.0');
  expect(response.id).toBe(id);
  return response;
}

/** A call that must succeed; returns its result. */
async function result(method: string, params?: unknown): Promise<Body> {
  const response = await call(method, params);
  if (response.error) throw new Error(`${method} failed: ${JSON.stringify(response.error)}`);
  expect(response.result).toBeDefined();
  return response.result as Body;
}

/** A call that must fail; returns its error. */
async function failure(method: string, params?: unknown): Promise<RpcError> {
  const response = await call(method, params);
  expect(response.result).toBeUndefined();
  expect(response.error).toBeDefined();
  return response.error as RpcError;
}

const ALL_METHODS = [
  'register_agent',
  'get_agent',
  'list_agents',
  'search_agents',
  'unregister_agent',
  'health_check',
  'list_methods',
  'get_agent_card',
  'RegisterAgentCard',
  'GetAgentCard',
  'ListAgentCards',
  'SearchAgentCards',
  'DeleteAgentCard',
];

describe('JSON-RPC methods of the earlier registry', () => {
  it('register_agent {agent_card} answers {success, agent_id, revision}', async () => {
    const r = await result('register_agent', { agent_card: cardV1({ name: 'Rpc Weather' }) });
    expect(r.success).toBe(true);
    expect(r.agent_id).toBe('rpc-weather');
    expect(Number.isInteger(r.revision)).toBe(true);
    expect(r.revision).toBeGreaterThan(0);
    expect(r.created).toBe(true);
  });

  it('register_agent of the same card again updates it with a higher revision', async () => {
    const first = await result('register_agent', { agent_card: cardV03({ name: 'Rpc Again' }) });
    const second = await result('register_agent', { agent_card: cardV03({ name: 'Rpc Again' }) });
    expect(second.created).toBe(false);
    expect(second.revision).toBeGreaterThan(first.revision);
  });

  it('get_agent {agent_id} answers {agent_card, found: true} with the card as registered', async () => {
    const card = legacyCard({ name: 'Rpc Legacy', 'x-extra': { kept: [1, 2] } });
    const saved = await result('register_agent', { agent_card: card });
    const r = await result('get_agent', { agent_id: saved.agent_id });
    expect(r.found).toBe(true);
    expect(r.agent_id).toBe('rpc-legacy');
    expect(r.agent_card).toStrictEqual(card);
    expect(r.revision).toBe(saved.revision);
    expect(r.format).toBe('legacy');
  });

  it('list_agents answers {agents, count, query} holding registered agents', async () => {
    await result('register_agent', { agent_card: cardV1({ name: 'Rpc Listed' }) });
    const r = await result('list_agents', { limit: 200 });
    expect(Array.isArray(r.agents)).toBe(true);
    expect(r.count).toBe(r.agents.length);
    expect(r.query).toBeNull();
    expect(r.results.map((x: Body) => x.agent_id)).toContain('rpc-listed');
    expect(r.agents.map((a: Body) => a.name)).toContain('Rpc Listed');
  });

  it('search_agents {query, skills} answers {agents, count, query} with the matching agents only', async () => {
    await result('register_agent', {
      agent_card: cardV1({
        name: 'Rpc Searchable',
        skills: [{ id: 'rpc-unique-skill', name: 'Unique', description: 'Finds zebrafish', tags: ['rpc'] }],
      }),
    });
    await result('register_agent', {
      agent_card: cardV1({
        name: 'Rpc Other',
        skills: [{ id: 'rpc-unique-skill', name: 'Unique', description: 'Finds goldfish', tags: ['rpc'] }],
      }),
    });
    const r = await result('search_agents', { query: 'zebrafish', skills: ['rpc-unique-skill'] });
    expect(r.count).toBe(1);
    expect(r.query).toBe('zebrafish');
    expect(r.agents.map((a: Body) => a.name)).toEqual(['Rpc Searchable']);
  });

  it('unregister_agent removes the agent: get_agent then fails with -32001', async () => {
    const saved = await result('register_agent', { agent_card: cardV1({ name: 'Rpc Doomed' }) });
    const r = await result('unregister_agent', { agent_id: 'rpc-doomed' });
    expect(r).toMatchObject({ success: true, agent_id: 'rpc-doomed', revision: saved.revision });
    expect((await failure('get_agent', { agent_id: 'rpc-doomed' })).code).toBe(-32001);
  });

  it('health_check answers healthy with the store and the number of agents', async () => {
    const r = await result('health_check');
    expect(r.status).toBe('healthy');
    expect(r.store).toBe('redis');
    expect(Number.isInteger(r.agents_count)).toBe(true);
  });

  it('list_methods lists every method', async () => {
    const r = await result('list_methods');
    expect(r).toEqual(expect.arrayContaining(ALL_METHODS));
  });

  it('every method list_methods names is callable (none answers -32601)', async () => {
    const methods = await result('list_methods');
    for (const method of methods as unknown as string[]) {
      const response = await call(method, {});
      expect(response.error?.code, method).not.toBe(-32601);
    }
  });

  it('get_agent_card answers the registry own valid A2A 1.0 card, with the 0.3 fields earlier clients read beside it', async () => {
    const r = await result('get_agent_card');
    const { url, protocolVersion, preferredTransport, protocol_version, preferred_transport, ...card } = r.agent_card;
    expect(validateCard(card).format).toBe('a2a-1.0');
    // With its 0.3 fields the card is read as 0.3, as a card with a top-level 0.x protocolVersion always is.
    expect(validateCard(r.agent_card).format).toBe('a2a-0.3');
    expect([url, protocolVersion, preferredTransport, protocol_version, preferred_transport]).toEqual([card.supportedInterfaces[0].url, '0.3.0', 'JSONRPC', '0.3.0', 'JSONRPC']);
  });
});

describe('JSON-RPC PascalCase aliases', () => {
  it('RegisterAgentCard {agentCard} answers camelCase fields', async () => {
    const r = await result('RegisterAgentCard', { agentCard: cardV1({ name: 'Pascal Agent' }) });
    expect(r.success).toBe(true);
    expect(r.agentId).toBe('pascal-agent');
    expect(Number.isInteger(r.revision)).toBe(true);
    expect(r).not.toHaveProperty('agent_id');
    expect(typeof r.createdAt).toBe('string');
  });

  it('GetAgentCard {agentId} answers {agentId, agentCard}', async () => {
    const card = cardV03({ name: 'Pascal Get' });
    await result('RegisterAgentCard', { agentCard: card });
    const r = await result('GetAgentCard', { agentId: 'pascal-get' });
    expect(r.agentId).toBe('pascal-get');
    expect(r.agentCard).toStrictEqual(card);
    expect(r).not.toHaveProperty('agent_card');
  });

  it('ListAgentCards {pageSize, pageToken} pages through every agent with nextPageToken', async () => {
    for (let i = 0; i < 5; i++) await result('RegisterAgentCard', { agentCard: cardV1({ name: `Pascal Page ${i}` }) });
    const all = (await result('list_agents', { limit: 200 })).results.map((x: Body) => x.agent_id) as string[];
    const seen: string[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < 100; page++) {
      const r = await result('ListAgentCards', { pageSize: 3, ...(pageToken ? { pageToken } : {}) });
      expect(r.agentCards.length).toBeLessThanOrEqual(3);
      expect(r).not.toHaveProperty('agents');
      expect(r).not.toHaveProperty('next_cursor');
      seen.push(...r.results.map((x: Body) => x.agentId));
      if (r.nextPageToken === null) break;
      expect(typeof r.nextPageToken).toBe('string');
      pageToken = r.nextPageToken;
    }
    expect(seen).toEqual(all);
    expect(seen).toEqual(expect.arrayContaining(['pascal-page-0', 'pascal-page-4']));
  });

  it('SearchAgentCards answers agentCards matching the query', async () => {
    await result('RegisterAgentCard', { agentCard: cardV1({ name: 'Pascal Narwhal' }) });
    const r = await result('SearchAgentCards', { query: 'narwhal' });
    expect(r.agentCards.map((a: Body) => a.name)).toEqual(['Pascal Narwhal']);
    expect(r.totalSize).toBe(1);
  });

  it('DeleteAgentCard {agentId} removes the agent', async () => {
    await result('RegisterAgentCard', { agentCard: cardV1({ name: 'Pascal Doomed' }) });
    const r = await result('DeleteAgentCard', { agentId: 'pascal-doomed' });
    expect(r).toMatchObject({ success: true, agentId: 'pascal-doomed' });
    expect((await failure('GetAgentCard', { agentId: 'pascal-doomed' })).code).toBe(-32001);
  });
});

describe('JSON-RPC keeps cards byte for byte', () => {
  const oddCard = (name: string) =>
    `{ "version":"1.0.0" ,\n  "name" :"${name}",\t"description": "Odd \\u00e9 spacing \\/ kept",` +
    `"skills":[ {"id":"odd","name":"Odd","description":"Odd skill","tags":[ "odd" ]} ] ,` +
    `"defaultOutputModes":["text/plain"],"defaultInputModes":["text/plain"],"capabilities":{},` +
    `"supportedInterfaces":[{"url":"https://odd.example.com","protocolBinding":"JSONRPC","protocolVersion":"1.0"}], "z": 1.0 }`;

  it('a card registered by register_agent is served by GET /agents/{id}/card exactly as in the request', async () => {
    const card = oddCard('Rpc Bytes');
    const { status, text } = await post(`{"jsonrpc":"2.0", "id":"b1", "method":"register_agent","params":{ "agent_card" :${card} } }`);
    expect(status).toBe(200);
    expect((JSON.parse(text) as RpcResponse).result?.agent_id).toBe('rpc-bytes');
    expect(await (await fetch(`${base}/agents/rpc-bytes/card`)).text()).toBe(card);
  });

  it('cards registered inside a batch are each stored exactly as in the request', async () => {
    const first = oddCard('Batch Bytes One');
    const second = oddCard('Batch Bytes Two');
    const { status, text } = await post(
      `[ {"jsonrpc":"2.0","id":1,"method":"register_agent","params":{"agent_card": ${first}}},\n` +
        `  {"jsonrpc":"2.0","id":2,"method":"RegisterAgentCard","params":{"agentCard":${second}}} ]`,
    );
    expect(status).toBe(200);
    const answers = JSON.parse(text) as RpcResponse[];
    expect(answers.every((a) => a.error === undefined)).toBe(true);
    expect(await (await fetch(`${base}/agents/batch-bytes-one/card`)).text()).toBe(first);
    expect(await (await fetch(`${base}/agents/batch-bytes-two/card`)).text()).toBe(second);
  });

  it('a call carrying both agent_card and agentCard stores only a card it validated', async () => {
    const valid = JSON.stringify(cardV1({ name: 'Dual Keys' }));
    const { text } = await post(`{"jsonrpc":"2.0","id":1,"method":"register_agent","params":{"agentCard":{"junk":true},"agent_card":${valid}}}`);
    const response = JSON.parse(text) as RpcResponse;
    if (response.error) {
      expect(response.error.code).toBe(-32602);
      expect((await fetch(`${base}/agents/dual-keys`)).status).toBe(404);
    } else {
      const stored = await (await fetch(`${base}/agents/${response.result?.agent_id}/card`)).text();
      expect(() => validateCard(JSON.parse(stored))).not.toThrow();
    }
  });
});

describe('JSON-RPC protocol rules', () => {
  it('a batch answers an array holding one response per call, matched by id', async () => {
    await result('register_agent', { agent_card: cardV1({ name: 'Batch Target' }) });
    const { status, text } = await post([
      { jsonrpc: '2.0', id: 'a', method: 'get_agent', params: { agent_id: 'batch-target' } },
      { jsonrpc: '2.0', id: 'b', method: 'health_check' },
      { jsonrpc: '2.0', id: 'c', method: 'no_such_method' },
    ]);
    expect(status).toBe(200);
    const answers = JSON.parse(text) as RpcResponse[];
    expect(Array.isArray(answers)).toBe(true);
    expect(answers.map((a) => a.id).sort()).toEqual(['a', 'b', 'c']);
    const byId = new Map(answers.map((a) => [a.id, a]));
    expect(byId.get('a')?.result?.agent_id).toBe('batch-target');
    expect(byId.get('b')?.result?.status).toBe('healthy');
    expect(byId.get('c')?.error?.code).toBe(-32601);
  });

  it('a batch mixing calls and notifications answers only the calls', async () => {
    const { text } = await post([
      { jsonrpc: '2.0', method: 'health_check' },
      { jsonrpc: '2.0', id: 9, method: 'health_check' },
    ]);
    const answers = JSON.parse(text) as RpcResponse[];
    expect(answers.map((a) => a.id)).toEqual([9]);
  });

  it('a batch of notifications only gets HTTP 204 with an empty body, and the notifications run', async () => {
    const res = await sendJson(`${base}/jsonrpc`, 'POST', [
      { jsonrpc: '2.0', method: 'register_agent', params: { agent_card: cardV1({ name: 'Notified One' }) } },
      { jsonrpc: '2.0', method: 'register_agent', params: { agent_card: cardV1({ name: 'Notified Two' }) } },
    ]);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect((await fetch(`${base}/agents/notified-one`)).status).toBe(200);
    expect((await fetch(`${base}/agents/notified-two`)).status).toBe(200);
  });

  it('a single notification gets HTTP 204 with an empty body', async () => {
    const res = await sendJson(`${base}/jsonrpc`, 'POST', { jsonrpc: '2.0', method: 'health_check' });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
  });

  it('a failing notification still gets no answer', async () => {
    const res = await sendJson(`${base}/jsonrpc`, 'POST', { jsonrpc: '2.0', method: 'get_agent', params: { agent_id: 'nobody-here' } });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
  });

  it('an empty batch answers one -32600 error, not an array', async () => {
    const { status, text } = await post([]);
    expect(status).toBe(200);
    const response = JSON.parse(text) as RpcResponse;
    expect(Array.isArray(response)).toBe(false);
    expect(response.error?.code).toBe(-32600);
    expect(response.id).toBeNull();
  });

  it('a batch of more than 100 calls answers one -32600 error', async () => {
    const { text } = await post(Array.from({ length: 101 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'health_check' })));
    const response = JSON.parse(text) as RpcResponse;
    expect(Array.isArray(response)).toBe(false);
    expect(response.error?.code).toBe(-32600);
  });

  it('invalid JSON answers -32700 with id null', async () => {
    const { status, text } = await post('{"jsonrpc":"2.0","id":1,"method":"health_check"');
    expect(status).toBe(200);
    const response = JSON.parse(text) as RpcResponse;
    expect(response).toMatchObject({ jsonrpc: '2.0', id: null });
    expect(response.error?.code).toBe(-32700);
  });

  it.each([
    ['jsonrpc "1.0"', { jsonrpc: '1.0', id: 5, method: 'health_check' }],
    ['no jsonrpc member', { id: 5, method: 'health_check' }],
    ['no method', { jsonrpc: '2.0', id: 5 }],
    ['a method that is not a string', { jsonrpc: '2.0', id: 5, method: 7 }],
  ])('a request with %s answers -32600 echoing its id', async (_label, request) => {
    const { text } = await post(request);
    const response = JSON.parse(text) as RpcResponse;
    expect(response.error?.code).toBe(-32600);
    expect(response.id).toBe(5);
  });

  it('a batch element that is not an object answers -32600 for that element', async () => {
    const { text } = await post([1, { jsonrpc: '2.0', id: 'ok', method: 'health_check' }]);
    const answers = JSON.parse(text) as RpcResponse[];
    expect(answers).toHaveLength(2);
    expect(answers.find((a) => a.id === null)?.error?.code).toBe(-32600);
    expect(answers.find((a) => a.id === 'ok')?.result?.status).toBe('healthy');
  });

  it('an unknown method answers -32601', async () => {
    const error = await failure('no_such_method', {});
    expect(error.code).toBe(-32601);
  });

  it('an invalid card answers -32602 with a BadRequest entry listing fieldViolations, and stores nothing', async () => {
    const revisionBefore = await redis.get(`${prefix}revision`);
    const error = await failure('register_agent', { agent_card: cardV1({ name: '', skills: [], supportedInterfaces: [{ url: 'nope' }] }) });
    expect(error.code).toBe(-32602);
    expect(Array.isArray(error.data)).toBe(true);
    const badRequest = (error.data ?? []).find(
      (d): d is { '@type': string; fieldViolations: { field: string; description: string }[] } =>
        typeof d === 'object' && d !== null && String((d as Body)['@type']).endsWith('BadRequest'),
    );
    expect(badRequest).toBeDefined();
    const fields = badRequest?.fieldViolations.map((v) => v.field) ?? [];
    expect(fields).toEqual(
      expect.arrayContaining([
        '$.params.agent_card.name',
        '$.params.agent_card.skills',
        '$.params.agent_card.supportedInterfaces[0].url',
        '$.params.agent_card.supportedInterfaces[0].protocolBinding',
        '$.params.agent_card.supportedInterfaces[0].protocolVersion',
      ]),
    );
    for (const violation of badRequest?.fieldViolations ?? []) expect(violation.description.length).toBeGreaterThan(0);
    expect(await redis.get(`${prefix}revision`)).toBe(revisionBefore);
  });

  it('register_agent without agent_card answers -32602', async () => {
    expect((await failure('register_agent', {})).code).toBe(-32602);
  });

  it('unknown params answer -32602', async () => {
    expect((await failure('get_agent', { agent_id: 'x', colour: 'red' })).code).toBe(-32602);
  });

  it('get_agent of an unknown agent answers -32001', async () => {
    const error = await failure('get_agent', { agent_id: 'never-registered-rpc' });
    expect(error.code).toBe(-32001);
  });

  it('positional params (an array) answer -32602', async () => {
    const error = await failure('get_agent', ['rpc-weather']);
    expect(error.code).toBe(-32602);
  });
});

describe('REST and JSON-RPC share the same data', () => {
  it('an agent registered over REST is read over JSON-RPC', async () => {
    const card = cardV03({ name: 'Rest To Rpc' });
    const res = await sendJson(`${base}/agents`, 'POST', { agent_card: card });
    expect(res.status).toBe(201);
    const saved = (await res.json()) as Body;
    const r = await result('get_agent', { agent_id: 'rest-to-rpc' });
    expect(r.agent_card).toStrictEqual(card);
    expect(r.revision).toBe(saved.revision);
  });

  it('an agent registered over JSON-RPC is read and found over REST', async () => {
    const card = cardV1({ name: 'Rpc To Rest', skills: [{ id: 'rpc-to-rest-skill', name: 'S', description: 'D', tags: ['t'] }] });
    const saved = await result('register_agent', { agent_card: card });
    const res = await fetch(`${base}/agents/rpc-to-rest`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Body;
    expect(body.agent_card).toStrictEqual(card);
    expect(body.revision).toBe(saved.revision);
    const listed = (await (await fetch(`${base}/agents?skill=rpc-to-rest-skill`)).json()) as Body;
    expect(listed.results.map((x: Body) => x.agent_id)).toEqual(['rpc-to-rest']);
  });

  it('both doors read a request with one schema: the same bad field gets the same violation from each', async () => {
    await result('register_agent', { agent_card: cardV1({ name: 'One Schema' }) });
    const rest = await fetch(`${base}/agents/one-schema?min_revision=0`);
    expect(rest.status).toBe(400);
    const restViolations = ((await rest.json()) as Body).error.violations as { path: string; message: string }[];
    const rpc = await failure('get_agent', { agent_id: 'one-schema', min_revision: 0 });
    expect(rpc.code).toBe(-32602);
    const badRequest = (rpc.data ?? []).find((d) => String((d as Body)['@type']).endsWith('BadRequest')) as Body;
    const rpcViolations = (badRequest.fieldViolations as { field: string; description: string }[]).map((v) => ({ path: v.field, message: v.description }));
    expect(restViolations).toEqual([{ path: '$.min_revision', message: expect.any(String) }]);
    expect(rpcViolations).toEqual([{ path: '$.params.min_revision', message: restViolations[0]?.message }]);
  });

  it("register_agent {create_only: true} is REST's If-None-Match: * — it refuses to replace an agent that exists", async () => {
    const card = cardV1({ name: 'Create Only Rpc' });
    const first = await result('register_agent', { agent_card: card, create_only: true });
    expect(first.agent_id).toBe('create-only-rpc');
    expect((await failure('register_agent', { agent_card: card, create_only: true })).code).toBe(-32010);
    expect((await fetch(`${base}/agents/create-only-rpc`, { method: 'PUT', body: JSON.stringify(card), headers: { 'content-type': 'application/json', 'if-none-match': '*' } })).status).toBe(409);
    expect((await result('get_agent', { agent_id: 'create-only-rpc' })).revision).toBe(first.revision);
  });

  it('an agent deleted over REST is gone for JSON-RPC', async () => {
    await result('register_agent', { agent_card: cardV1({ name: 'Rest Deletes' }) });
    expect((await fetch(`${base}/agents/rest-deletes`, { method: 'DELETE' })).status).toBe(200);
    expect((await failure('get_agent', { agent_id: 'rest-deletes' })).code).toBe(-32001);
  });
});
