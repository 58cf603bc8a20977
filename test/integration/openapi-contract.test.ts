import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/auth/authenticators.js';
import { cardV1 } from '../helpers/cards.js';
import { OpenApiContract, type SeenResponse } from '../helpers/openapi-contract.js';
import { startRegistry } from '../helpers/registry-server.js';
import { useRegistry } from '../helpers/use-registry.js';

// Every documented operation of a real registry on real Redis, with good and bad input: each answer
// (status, content type and body) must be one the OpenAPI document lists for that operation.

const KEYS = { alice: 'alice-key', bob: 'bob-key', root: 'root-key' };
const API_KEYS = [`alice:publisher:${sha256Hex(KEYS.alice)}`, `bob:publisher:${sha256Hex(KEYS.bob)}`, `root:admin:${sha256Hex(KEYS.root)}`].join(',');
type Who = keyof typeof KEYS | 'nobody' | 'stranger';
const CHALLENGE_PATH = '/.well-known/a2a-registry-challenge/';

/** An agent's and a domain owner's web server on loopback: its card, and the challenge documents published. */
function ownersServer() {
  const published = new Map<string, string>();
  const state = { card: JSON.stringify(cardV1({ name: 'Fetched Agent' })) };
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = req.url ?? '';
      if (path === '/.well-known/agent-card.json') return void res.writeHead(200, { 'content-type': 'application/json' }).end(state.card);
      if (path === '/catalog.json') return void res.writeHead(200, { 'content-type': 'application/ai-catalog+json' }).end(catalogOf(state.card));
      const document = path.startsWith(CHALLENGE_PATH) ? published.get(path.slice(CHALLENGE_PATH.length)) : undefined;
      if (document === undefined) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(document);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    state,
    publish: (token: string, served = token) => published.set(token, JSON.stringify({ token: served })),
    get origin() {
      return `http://localhost:${port}`;
    },
    env: () => ({ OUTBOUND_ALLOW_HTTP: 'true', OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true', DOMAIN_CHALLENGE_URL: `http://{domain}:${port}${CHALLENGE_PATH}{token}` }),
  };
}

/** An AI Catalog listing `card` inline, an entry of another type, and a malformed entry. */
const catalogOf = (card: string) =>
  JSON.stringify({
    specVersion: '1.0',
    entries: [
      { identifier: 'urn:air:localhost:contract:catalog-agent', displayName: 'Catalog Agent', type: 'application/a2a-agent-card+json', data: JSON.parse(card) },
      { identifier: 'urn:air:localhost:contract:tool', displayName: 'Tool', type: 'application/mcp-server-card+json', url: 'https://example.com/mcp.json' },
      { identifier: 'not-an-identifier', displayName: 'Bad', type: 'application/a2a-agent-card+json' },
    ],
  });

/** The JSON value of `text`, or undefined when it is not JSON. */
function parsedOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

interface Call {
  as?: Who;
  body?: unknown;
  headers?: Record<string, string>;
  /** Read only the head of a stream, then leave. */
  stream?: boolean;
}

describe('the OpenAPI document against real answers', () => {
  const owner = ownersServer();
  const registry = useRegistry(() => ({
    AUTH_MODE: 'apikey',
    API_KEYS,
    ROLE: 'api',
    RATE_LIMIT_FAILED_AUTH_PER_MINUTE: '0',
    ...owner.env(),
  }));
  let contract: OpenApiContract;
  const problems: string[] = [];

  beforeAll(async () => {
    contract = new OpenApiContract((await (await fetch(`${registry.base}/openapi.json`)).json()) as Record<string, unknown>);
  });

  /** Sends a request, checks its answer against the document, and hands it back. */
  async function call(method: string, path: string, options: Call = {}): Promise<{ status: number; headers: Headers; json: () => any }> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    const who = options.as ?? 'alice';
    if (who === 'stranger') headers.authorization = 'Bearer not-a-key';
    else if (who !== 'nobody') headers.authorization = `Bearer ${KEYS[who]}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const abort = new AbortController();
    const response = await fetch(`${registry.base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}), signal: abort.signal });
    let text: string;
    if (options.stream && response.status === 200) {
      // The stream stays open: its first bytes are enough to know what it is.
      const reader = response.body!.getReader();
      const first = await reader.read();
      text = new TextDecoder().decode(first.value);
      abort.abort();
    } else {
      text = await response.text();
    }
    const seen: SeenResponse = { status: response.status, contentType: response.headers.get('content-type'), text };
    problems.push(...contract.problemsOf(method, path, seen));
    // What the registry accepted, the document must accept too.
    // (JSON-RPC answers 200 to a body that is not JSON too, with a parse error: that one was not accepted.)
    const accepted = body !== undefined && response.status < 300 && headers['content-type'] === 'application/json' ? parsedOrUndefined(body) : undefined;
    if (accepted !== undefined) problems.push(...contract.requestProblemsOf(method, path, accepted));
    return { status: response.status, headers: response.headers, json: () => JSON.parse(text) };
  }

  afterAll(() => {
    // Reported here too, so that a failure shows every problem at once.
    if (problems.length > 0) console.error(problems.join('\n'));
  });

  it('the service routes answer as documented', async () => {
    expect((await call('GET', '/', { as: 'nobody' })).status).toBe(200);
    expect((await call('GET', '/health', { as: 'nobody' })).status).toBe(200);
    expect((await call('GET', '/ready', { as: 'nobody' })).status).toBe(200);
    expect((await call('GET', '/metrics', { as: 'nobody' })).status).toBe(200);
    expect((await call('GET', '/.well-known/agent-card.json', { as: 'nobody' })).status).toBe(200);
    expect((await call('GET', '/.well-known/agent.json', { as: 'nobody' })).status).toBe(200);
    const document = await call('GET', '/openapi.json', { as: 'nobody' });
    expect(document.status).toBe(200);
    expect((await call('GET', '/openapi.json', { as: 'nobody', headers: { 'if-none-match': document.headers.get('etag')! } })).status).toBe(304);
    expect(problems).toEqual([]);
  });

  it('the agent operations answer as documented, good input and bad', async () => {
    const card = cardV1({ name: 'Contract Agent' });
    const created = await call('POST', '/agents', { body: { agent_card: card, heartbeat_ttl_seconds: 600 } });
    expect(created.status).toBe(201);
    const id = created.json().agent_id as string;
    expect((await call('POST', '/agents', { body: card })).status).toBe(200);
    expect((await call('POST', '/agents', { body: { agent_card: { name: 1 } } })).status).toBe(400);
    expect((await call('POST', '/agents', { body: '{"agent_card": ' })).status).toBe(400);
    expect((await call('POST', '/agents', { body: 'name=x', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect((await call('POST', '/agents', { body: card, as: 'nobody' })).status).toBe(401);
    expect((await call('POST', '/agents', { body: card, as: 'stranger' })).status).toBe(401);
    expect((await call('POST', '/agents', { body: card, headers: { 'if-none-match': '*' } })).status).toBe(409);
    expect((await call('POST', '/agents', { body: card, headers: { 'if-match': '"999999"' } })).status).toBe(412);
    expect((await call('POST', '/agents', { body: card, headers: { 'if-match': 'not a tag' } })).status).toBe(400);
    expect((await call('POST', '/agents', { body: { agent_card: card }, headers: { 'idempotency-key': 'k-1' } })).status).toBe(200);
    expect((await call('POST', '/agents', { body: { agent_card: card, heartbeat_ttl_seconds: 60 }, headers: { 'idempotency-key': 'k-1' } })).status).toBe(422);
    expect((await call('POST', '/agents', { body: 'x'.repeat(2 * 1024 * 1024) })).status).toBe(413);

    expect((await call('PUT', '/agents/contract-put', { body: cardV1({ name: 'Put Agent' }) })).status).toBe(201);
    expect((await call('PUT', '/agents/contract-put', { body: cardV1({ name: 'Put Agent' }) })).status).toBe(200);
    expect((await call('PUT', '/agents/contract-put', { body: cardV1({ name: 'Put Agent' }), as: 'bob' })).status).toBe(403);
    expect((await call('PUT', `/agents/${'x'.repeat(300)}`, { body: cardV1() })).status).toBe(400);

    expect((await call('GET', '/agents')).status).toBe(200);
    expect((await call('GET', '/agents?limit=1&skill=forecast&include_inactive=true', { as: 'nobody' })).status).toBe(200);
    expect((await call('GET', '/agents?limit=0')).status).toBe(400);
    expect((await call('GET', '/agents/search?q=weather&streaming=true')).status).toBe(200);
    expect((await call('GET', '/agents/search?colour=blue')).status).toBe(400);
    expect((await call('GET', '/agents/search?search_mode=semantic')).status).toBe(400);
    expect((await call('POST', '/agents/search', { body: { query: 'weather', tags: ['forecast'], limit: 5 } })).status).toBe(200);
    expect((await call('POST', '/agents/search', { body: { limit: 'many' } })).status).toBe(400);
    expect((await call('POST', '/agents/search', { body: [1] })).status).toBe(400);

    const read = await call('GET', `/agents/${id}`);
    expect(read.status).toBe(200);
    const etag = read.headers.get('etag')!;
    expect((await call('GET', `/agents/${id}`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await call('GET', `/agents/${id}?min_revision=99999999`)).status).toBe(412);
    expect((await call('GET', `/agents/${id}?min_revision=soon`)).status).toBe(400);
    expect((await call('GET', `/agents/${id}`, { headers: { 'x-min-revision': '1' } })).status).toBe(200);
    expect((await call('GET', '/agents/no-such-agent')).status).toBe(404);
    expect((await call('GET', `/agents/${id}/card`)).status).toBe(200);
    expect((await call('GET', `/agents/${id}/card`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await call('GET', '/agents/no-such-agent/card')).status).toBe(404);
    expect((await call('GET', '/agents/%E0%A4%A/card')).status).toBe(400);

    expect((await call('POST', `/agents/${id}/heartbeat`)).status).toBe(200);
    expect((await call('POST', `/agents/${id}/heartbeat`, { as: 'bob' })).status).toBe(403);
    expect((await call('POST', '/agents/no-such-agent/heartbeat')).status).toBe(404);
    expect((await call('POST', `/agents/${id}/ping`)).status).toBe(200);
    expect((await call('POST', '/agents/no-such-agent/ping')).status).toBe(404);

    expect((await call('PATCH', `/agents/${id}`, { body: { status: 'deprecated', status_message: 'Use the new one' } })).status).toBe(200);
    expect((await call('GET', `/agents?updated_since=2020-01-01T00:00:00Z&include_deleted=true`)).status).toBe(200);
    expect((await call('PATCH', `/agents/${id}`, { body: { status: 'active' }, headers: { 'if-match': '"1"' } })).status).toBe(412);
    expect((await call('PATCH', `/agents/${id}`, { body: { status: 'retired' } })).status).toBe(400);
    expect((await call('PATCH', `/agents/${id}`, { body: { status: 'active' }, as: 'bob' })).status).toBe(403);
    expect((await call('PATCH', '/agents/no-such-agent', { body: { status: 'active' } })).status).toBe(404);
    expect((await call('PATCH', `/agents/${id}`, { body: { status: 'active' } })).status).toBe(200);
    expect((await call('DELETE', `/agents/${id}`, { headers: { 'if-match': '"1"' } })).status).toBe(412);
    expect((await call('DELETE', `/agents/${id}`, { as: 'bob' })).status).toBe(403);
    expect((await call('DELETE', `/agents/${id}`, { headers: { 'idempotency-key': ' ' } })).status).toBe(400);
    expect((await call('DELETE', `/agents/${id}`)).status).toBe(200);
    expect((await call('DELETE', `/agents/${id}`)).status).toBe(404);
    const changed = await call('GET', `/agents?updated_since=2020-01-01T00:00:00Z&include_deleted=true`);
    expect(changed.json().deleted.map((t: { agent_id: string }) => t.agent_id)).toContain(id);
    expect(problems).toEqual([]);
  });

  it('register-by-URL and the previous card answer as documented', async () => {
    const registered = await call('POST', '/agents/register-url', { body: { url: owner.origin, agent_id: 'fetched' } });
    expect(registered.status).toBe(201);
    expect((await call('GET', '/agents/fetched/previous')).status).toBe(404);
    owner.state.card = JSON.stringify(cardV1({ name: 'Fetched Agent', description: 'A new description' }));
    expect((await call('POST', '/agents/register-url', { body: { url: owner.origin, agent_id: 'fetched' } })).status).toBe(200);
    expect((await call('GET', '/agents/fetched/previous')).status).toBe(200);
    expect((await call('POST', '/agents/register-url', { body: { url: 'ftp://example.com' } })).status).toBe(400);
    expect((await call('POST', '/agents/register-url', { body: { link: owner.origin } })).status).toBe(400);
    expect((await call('POST', '/agents/register-url', { body: { url: `${owner.origin}/missing.json` } })).status).toBe(502);
    const ingested = await call('POST', '/agents/register-url', { body: { url: `${owner.origin}/catalog.json` } });
    expect(ingested.status).toBe(200);
    expect(ingested.json().totals).toMatchObject({ registered: 1, skipped: 1, failed: 1 });
    expect((await call('POST', '/agents/register-url', { body: { url: `${owner.origin}/catalog.json`, agent_id: 'named' } })).status).toBe(400);
    expect((await call('POST', `/agents/fetched/ping`)).status).toBe(200);
    expect(problems).toEqual([]);
  });

  it('the extension catalog answers as documented', async () => {
    expect((await call('POST', '/agents', { body: cardV1({ name: 'Extension Agent' }) })).status).toBe(201);
    const uri = encodeURIComponent('https://example.com/ext/geo');
    expect((await call('GET', '/extensions?page_size=10&trust_levels=unverified,official')).status).toBe(200);
    expect((await call('GET', '/extensions?page_size=0')).status).toBe(400);
    expect((await call('GET', `/extensions/${uri}?page_size=5`)).status).toBe(200);
    expect((await call('GET', '/extensions/https://example.com/ext/geo')).status).toBe(200);
    expect((await call('GET', `/extensions/${encodeURIComponent('https://nobody.example/ext')}`)).status).toBe(404);
    expect((await call('PUT', `/extensions/${uri}/trust`, { as: 'root', body: { trust_level: 'verified' } })).status).toBe(200);
    expect((await call('PUT', `/extensions/${uri}/trust`, { body: { trust_level: 'verified' } })).status).toBe(403);
    expect((await call('PUT', `/extensions/${uri}/trust`, { as: 'root', body: { trust_level: 'divine' } })).status).toBe(400);
    expect((await call('PUT', `/extensions/${encodeURIComponent('https://nobody.example/ext')}/trust`, { as: 'root', body: { trust_level: 'verified' } })).status).toBe(404);
    expect((await call('GET', '/agents/extension-agent/extensions')).status).toBe(200);
    expect((await call('GET', '/agents/no-such-agent/extensions')).status).toBe(404);
    expect(problems).toEqual([]);
  });

  it('domain proofs answer as documented', async () => {
    expect((await call('POST', '/domains/localhost/verify')).status).toBe(404);
    const challenge = await call('POST', '/domains/localhost/challenge');
    expect(challenge.status).toBe(201);
    // Nothing published yet: the owner's server answers 404, which the registry passes on as an unusable upstream.
    expect((await call('POST', '/domains/localhost/verify')).status).toBe(502);
    owner.publish(challenge.json().token as string, 'another token');
    expect((await call('POST', '/domains/localhost/verify')).status).toBe(422);
    owner.publish(challenge.json().token as string);
    expect((await call('POST', '/domains/localhost/verify')).status).toBe(200);
    expect((await call('GET', '/domains/localhost')).status).toBe(200);
    expect((await call('GET', '/domains/example.org')).status).toBe(404);
    expect((await call('GET', '/domains/10.0.0.1')).status).toBe(400);
    expect((await call('POST', '/domains/not_a_domain!/challenge')).status).toBe(400);
    expect((await call('DELETE', '/domains/localhost')).status).toBe(403);
    expect((await call('DELETE', '/domains/localhost', { as: 'root' })).status).toBe(200);
    expect((await call('DELETE', '/domains/localhost', { as: 'root' })).status).toBe(404);
    expect(problems).toEqual([]);
  });

  it('ingested catalogs answer as documented: listed, read and stopped by their owner only', async () => {
    expect((await call('POST', '/agents/register-url', { body: { url: `${owner.origin}/catalog.json` }, as: 'bob' })).status).toBe(200);
    const page = await call('GET', '/catalogs?limit=1', { as: 'bob' });
    expect(page.status).toBe(200);
    const key = page.json().catalogs[0].key as string;
    expect((await call('GET', `/catalogs?limit=1&cursor=${key}`, { as: 'bob' })).status).toBe(200);
    expect((await call('GET', `/catalogs/${key}`, { as: 'bob' })).status).toBe(200);
    expect((await call('GET', `/catalogs/${key}`, { as: 'alice' })).status).toBe(403);
    expect((await call('GET', '/catalogs/AAAAAAAAAAAAAAAAAAAAAA')).status).toBe(404);
    expect((await call('GET', '/catalogs/not-a-key!')).status).toBe(400);
    expect((await call('GET', '/catalogs?limit=0')).status).toBe(400);
    expect((await call('GET', '/catalogs', { as: 'nobody' })).status).toBe(401);
    expect((await call('DELETE', `/catalogs/${key}?delete_agents=maybe`, { as: 'bob' })).status).toBe(400);
    expect((await call('DELETE', `/catalogs/${key}`, { as: 'alice' })).status).toBe(403);
    expect((await call('DELETE', `/catalogs/${key}?delete_agents=true`, { as: 'bob' })).status).toBe(200);
    expect((await call('DELETE', `/catalogs/${key}`, { as: 'bob' })).status).toBe(404);
    expect(problems).toEqual([]);
  });

  it('the change log answers as documented, as pages and as a stream', async () => {
    const page = await call('GET', '/changes?limit=5&include_card=true');
    expect(page.status).toBe(200);
    expect((await call('GET', `/changes?since=${encodeURIComponent(page.json().next_cursor as string)}&kind=registered,deleted`)).status).toBe(200);
    expect((await call('GET', '/changes?skill=forecast&streaming=true&include_card=false')).status).toBe(200);
    expect((await call('GET', '/changes?streaming=sometimes')).status).toBe(400);
    expect((await call('GET', '/changes?limit=0')).status).toBe(400);
    expect((await call('GET', '/changes?kind=exploded')).status).toBe(400);
    expect((await call('GET', '/changes?since=0-1.someotherepoch')).status).toBeGreaterThanOrEqual(400);
    expect((await call('GET', '/changes/stream', { stream: true })).status).toBe(200);
    expect((await call('GET', '/changes/stream', { stream: true, headers: { 'last-event-id': 'garbage!' } })).status).toBeGreaterThanOrEqual(400);
    expect(problems).toEqual([]);
  });

  it('the JSON-RPC door answers as documented', async () => {
    expect((await call('POST', '/jsonrpc', { body: { jsonrpc: '2.0', id: 1, method: 'list_methods' } })).status).toBe(200);
    expect((await call('POST', '/jsonrpc', { body: [{ jsonrpc: '2.0', id: 1, method: 'health_check' }, { jsonrpc: '2.0', id: 2, method: 'nope' }] })).status).toBe(200);
    expect((await call('POST', '/jsonrpc', { body: { jsonrpc: '2.0', method: 'health_check' } })).status).toBe(204);
    expect((await call('POST', '/jsonrpc', { body: '{"jsonrpc": ' })).status).toBe(200);
    expect((await call('POST', '/jsonrpc', { body: 'x', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect((await call('POST', '/jsonrpc', { body: { jsonrpc: '2.0', id: 1, method: 'list_methods' }, as: 'stranger' })).status).toBe(401);
    expect(problems).toEqual([]);
  });

  it('the AI Catalog documents and the ARD API answer as documented, good input and bad', async () => {
    const root = await call('GET', '/.well-known/ai-catalog.json');
    expect(root.status).toBe(200);
    expect((await call('GET', '/.well-known/ai-catalog.json', { headers: { 'if-none-match': root.headers.get('etag')! } })).status).toBe(304);
    expect((await call('GET', '/.well-known/ard.json')).status).toBe(200);
    expect((await call('GET', '/ai-catalog/pages/0/0')).status).toBe(200);
    expect((await call('GET', '/ai-catalog/pages/0/999999')).status).toBe(404);
    expect((await call('GET', '/ai-catalog/pages/zero/0')).status).toBe(400);
    expect((await call('GET', '/.well-known/jwks.json')).status).toBe(200);
    expect((await call('GET', '/.well-known/ai-catalog.json', { as: 'stranger' })).status).toBe(401);

    const found = await call('POST', '/ard/v1/search', { body: { query: { text: 'contract', filter: { type: 'application/a2a-agent-card+json' } }, pageSize: 1 } });
    expect(found.status).toBe(200);
    expect((await call('POST', '/ard/v1/search', { body: { query: { text: 'x', filter: { colour: 'red' } } } })).status).toBe(400);
    expect((await call('POST', '/ard/v1/search', { body: '{"query": ' })).status).toBe(400);
    expect((await call('POST', '/ard/v1/search', { body: 'x', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect((await call('POST', '/ard/v1/search', { body: { query: { text: 'x' } }, as: 'stranger' })).status).toBe(401);
    expect((await call('POST', '/ard/v1/explore', { body: { query: { text: 'contract' }, resultType: { facets: [{ field: 'tags' }, { field: 'type' }] } } })).status).toBe(200);
    expect((await call('POST', '/ard/v1/explore', { body: { resultType: { facets: [] } } })).status).toBe(400);
    const listed = await call('GET', '/ard/v1/agents?pageSize=2');
    expect(listed.status).toBe(200);
    expect((await call('GET', '/ard/v1/agents?orderBy=name')).status).toBe(400);
    const identifier = listed.json().items[0]?.identifier as string;
    const entry = await call('GET', `/ard/v1/agents/${encodeURIComponent(identifier)}`);
    expect(entry.status).toBe(200);
    expect((await call('GET', `/ard/v1/agents/${encodeURIComponent(identifier)}`, { headers: { 'if-none-match': entry.headers.get('etag')! } })).status).toBe(304);
    expect((await call('GET', `/ard/v1/agents/${encodeURIComponent('urn:air:nowhere.example:agent:x')}`)).status).toBe(404);
    expect((await call('GET', '/ard/v1/agents/not-a-urn')).status).toBe(400);
    expect(problems).toEqual([]);
  });

  it('the check itself refuses an undocumented status, a wrong content type and a body its schema refuses', () => {
    expect(contract.problemsOf('GET', '/health', { status: 418, contentType: 'application/json', text: '{}' })).toHaveLength(1);
    expect(contract.problemsOf('GET', '/health', { status: 200, contentType: 'text/html', text: '{}' })).toHaveLength(1);
    expect(contract.problemsOf('GET', '/health', { status: 200, contentType: 'application/json', text: '{"status":"healthy"}' })).toHaveLength(1);
    expect(contract.problemsOf('GET', '/agents/x', { status: 404, contentType: 'application/json', text: '{"error":{"code":"x"}}' })).toHaveLength(1);
    expect(contract.problemsOf('GET', '/health', { status: 200, contentType: 'application/json', text: '{"status":"healthy","service":"s","version":"1","extra":1}' })).toHaveLength(1);
    expect(() => contract.problemsOf('PATCH', '/agents/x/card', { status: 200, contentType: null, text: '' })).toThrow(/not in the document/);
    expect(contract.requestProblemsOf('POST', '/agents/register-url', { link: 'https://example.com' })).toHaveLength(1);
    expect(contract.requestProblemsOf('GET', '/agents', {})).toHaveLength(1);
  });

  it('every documented operation was exercised, and answered a success', () => {
    const operations = Object.values(contract.document.paths as Record<string, Record<string, { operationId: string }>>).flatMap((item) =>
      Object.values(item).map((op) => op.operationId),
    );
    const unexercised = operations.filter((id) => !contract.seen.has(id));
    const neverSucceeded = operations.filter((id) => ![...(contract.seen.get(id) ?? [])].some((status) => status < 300));
    expect(unexercised).toEqual([]);
    expect(neverSucceeded).toEqual([]);
  });
});

describe('budgets and outages against the OpenAPI document', () => {
  const registry = useRegistry({ ROLE: 'api', RATE_LIMIT_READS_PER_MINUTE: '2' });

  it('a spent budget answers a documented 429', async () => {
    const contract = new OpenApiContract((await (await fetch(`${registry.base}/openapi.json`)).json()) as Record<string, unknown>);
    const statuses: number[] = [];
    const problems: string[] = [];
    for (const path of ['/agents', '/agents/search?q=x', '/changes', '/extensions']) {
      const response = await fetch(`${registry.base}${path}`);
      statuses.push(response.status);
      problems.push(...contract.problemsOf('GET', path, { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() }));
    }
    expect(statuses).toContain(429);
    expect(problems).toEqual([]);
  });

  it('a Redis that does not answer gives documented 503s, and a failing readiness', async () => {
    // A port nothing listens on: every command fails at once.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const down = await startRegistry({ REDIS_URL: `redis://127.0.0.1:${port}`, ROLE: 'api' });
    try {
      const contract = new OpenApiContract((await (await fetch(`${down.baseUrl}/openapi.json`)).json()) as Record<string, unknown>);
      const statuses: number[] = [];
      const problems: string[] = [];
      for (const [method, path, body] of [
        ['GET', '/ready'],
        ['GET', '/agents/some-agent'],
        ['GET', '/agents'],
        ['POST', '/agents', JSON.stringify(cardV1())],
        ['GET', '/changes'],
        ['GET', '/extensions'],
        ['GET', '/.well-known/ai-catalog.json'],
        ['POST', '/ard/v1/search', JSON.stringify({ query: { text: 'weather' } })],
      ] as const) {
        const response = await fetch(`${down.baseUrl}${path}`, { method, ...(body ? { body, headers: { 'content-type': 'application/json' } } : {}) });
        statuses.push(response.status);
        problems.push(...contract.problemsOf(method, path, { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() }));
      }
      expect(statuses).toEqual([503, 503, 503, 503, 503, 503, 503, 503]);
      expect(problems).toEqual([]);
    } finally {
      await down.close();
    }
  }, 30_000);
});
