import { createHash, generateKeyPairSync } from 'node:crypto';
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { describe, expect, it, beforeAll } from 'vitest';
import { canonicalJson } from '../../src/signatures/card-canonical.js';
import { ardProblems, catalogProblems, entryProblems } from '../helpers/ard-schemas.js';
import { cardV1 } from '../helpers/cards.js';
import { sendJson } from '../helpers/registry-server.js';
import { useRegistry } from '../helpers/use-registry.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const json = async (response: Response): Promise<Json> => response.json();

const signingKey = () => JSON.stringify({ ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }), kid: 'catalog-test-1' });

const A2A = 'application/a2a-agent-card+json';
const CATALOG = 'application/ai-catalog+json';

/** A card with skills that have examples (so its entry carries representative queries), tags and a provider. */
const agentCard = (i: number) =>
  cardV1({
    name: `Discovery Agent ${i}`,
    provider: { organization: i % 2 === 0 ? 'Even Org' : 'Odd Org', url: `https://org${i % 2}.example.com` },
    skills: [
      {
        id: `skill-${i}`,
        name: `Skill ${i}`,
        description: 'Does things',
        tags: ['shared', `tag-${i}`, 'shared'],
        examples: ['find the weather in Paris', 'what is the forecast for Oslo', 'will it rain'],
      },
    ],
  });

/**
 * Every document of the catalog tree from the root, each with its depth; every nested link followed
 * once. The registry names itself by PUBLIC_URL (here the default, on port 0): links are followed
 * on the test server's origin.
 */
async function walk(rootUrl: string): Promise<{ url: string; depth: number; document: Json }[]> {
  const origin = new URL(rootUrl).origin;
  const seen: { url: string; depth: number; document: Json }[] = [];
  const queue = [{ url: rootUrl, depth: 0 }];
  const visited = new Set<string>();
  while (queue.length > 0) {
    const next = queue.shift() as { url: string; depth: number };
    if (visited.has(next.url)) throw new Error(`the catalog links ${next.url} twice`);
    visited.add(next.url);
    const response = await fetch(next.url);
    expect(response.status, next.url).toBe(200);
    const document = await json(response);
    seen.push({ ...next, document });
    for (const entry of document.entries) if (entry.type === CATALOG) queue.push({ url: `${origin}${new URL(entry.url).pathname}`, depth: next.depth + 1 });
  }
  return seen;
}

const verifySignature = async (document: Json, jwks: JSONWebKeySet) => {
  const { signature, ...unsigned } = document;
  const [header, , value] = (signature as string).split('.');
  const payload = Buffer.from(canonicalJson(unsigned)).toString('base64url');
  return compactVerify(`${header}.${payload}.${value}`, createLocalJWKSet(jwks), { algorithms: ['ES256', 'EdDSA'] });
};

describe('AI Catalog documents and the ARD API, over HTTP, with small pages and a signing key', () => {
  const registry = useRegistry({ CATALOG_PAGE_SIZE: '2', CATALOG_SIGNING_KEY: signingKey() });
  const ids: string[] = [];

  beforeAll(async () => {
    for (let i = 1; i <= 7; i++) {
      const saved = await json(await sendJson(`${registry.base}/agents`, 'POST', { agent_card: agentCard(i) }));
      ids.push(saved.agent_id);
    }
    // A hole in the numbers: the deleted agent's page holds one agent, and no page holds it.
    expect((await fetch(`${registry.base}/agents/${ids[2]}`, { method: 'DELETE' })).status).toBe(200);
    ids.splice(2, 1);
  });

  it('serves the root at both well-known paths, valid by the AI Catalog schema, with the ARD API as a registry entry', async () => {
    const response = await fetch(`${registry.base}/.well-known/ai-catalog.json`);
    expect(response.headers.get('content-type')).toBe(CATALOG);
    const root = await json(response);
    expect(catalogProblems(root)).toEqual([]);
    expect(root.host).toMatchObject({ displayName: 'A2A Registry', identifier: 'localhost' });
    expect(root.entries).toContainEqual(expect.objectContaining({ type: 'application/ai-registry+json', url: expect.stringMatching(/\/ard\/v1$/) }));
    const ard = await json(await fetch(`${registry.base}/.well-known/ard.json`));
    expect(catalogProblems(ard)).toEqual([]);
    expect(ard.entries).toEqual(root.entries);
  });

  it('reaches every active agent exactly once through the nested pages, each page valid and within the page size, depth within 4', async () => {
    const documents = await walk(`${registry.base}/.well-known/ai-catalog.json`);
    const agents = documents.flatMap(({ document }) => document.entries.filter((entry: Json) => entry.type === A2A));
    expect(agents.map((entry: Json) => entry.metadata.agentId).sort()).toEqual([...ids].sort());
    for (const { url, document, depth } of documents) {
      expect(catalogProblems(document), url).toEqual([]);
      expect(document.entries.filter((entry: Json) => entry.type === A2A).length).toBeLessThanOrEqual(2);
      expect(depth).toBeLessThanOrEqual(4);
    }
    expect(Math.max(...documents.map((d) => d.depth))).toBeGreaterThanOrEqual(1);
  });

  it('presents each agent as a full entry: identifier, card URL, tags, skills, queries, publisher and what the registry knows', async () => {
    const documents = await walk(`${registry.base}/.well-known/ai-catalog.json`);
    const entry = documents.flatMap(({ document }) => document.entries).find((e: Json) => e.metadata?.agentId === ids[0]);
    expect(entryProblems(entry)).toEqual([]);
    expect(entry).toMatchObject({
      identifier: `urn:air:localhost:agents:${ids[0]}`,
      displayName: 'Discovery Agent 1',
      type: A2A,
      url: `http://localhost:0/agents/${ids[0]}/card`,
      tags: ['shared', 'tag-1'],
      capabilities: ['skill-1'],
      representativeQueries: ['find the weather in Paris', 'what is the forecast for Oslo', 'will it rain'],
      version: '1.2.0',
      publisher: { identifier: 'https://org1.example.com', displayName: 'Odd Org' },
      metadata: { lifecycleStatus: 'active', livenessStatus: 'active', signatureStatus: 'unsigned', domainVerified: false },
    });
  });

  it('tags a signed document weakly by its unsigned content, the same whatever the signature, and answers 304 to it', async () => {
    for (const path of ['/.well-known/ai-catalog.json', '/.well-known/ard.json', '/ai-catalog/pages/0/0']) {
      const first = await fetch(`${registry.base}${path}`);
      const etag = first.headers.get('etag') as string;
      const { signature, ...unsigned } = (await first.json()) as Record<string, unknown>;
      expect(signature, path).toEqual(expect.any(String));
      const contentDigest = createHash('sha256').update(JSON.stringify(unsigned)).digest('base64url').slice(0, 27);
      expect(etag, path).toBe(`W/"${contentDigest}"`);
      const again = await fetch(`${registry.base}${path}`, { headers: { 'if-none-match': etag } });
      expect(again.status, path).toBe(304);
      const other = await fetch(`${registry.base}${path}`, { headers: { 'if-none-match': '"something-else"' } });
      expect(other.status, path).toBe(200);
    }
  });

  it('signs every document; the signature verifies with the published JWKS alone, and fails on a tampered document', async () => {
    const jwks = (await json(await fetch(`${registry.base}/.well-known/jwks.json`))) as JSONWebKeySet;
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).not.toHaveProperty('d');
    for (const { url, document } of await walk(`${registry.base}/.well-known/ai-catalog.json`)) {
      const verified = await verifySignature(document, jwks);
      expect(verified.protectedHeader, url).toMatchObject({ alg: 'ES256', kid: 'catalog-test-1' });
      const tampered = { ...document, entries: [...document.entries, { ...document.entries[0], identifier: 'urn:air:evil.example:agents:x' }] };
      await expect(verifySignature(tampered, jwks), url).rejects.toThrow();
    }
  });

  it('answers a page past the last agent number with 404 and a malformed page address with 400', async () => {
    expect((await fetch(`${registry.base}/ai-catalog/pages/0/99`)).status).toBe(404);
    expect((await fetch(`${registry.base}/ai-catalog/pages/x/0`)).status).toBe(400);
    expect((await fetch(`${registry.base}/ai-catalog/pages/9/0`)).status).toBe(400);
  });

  it('POST /ard/v1/search answers entries with scores from the rank and the source, valid by SearchResponse, paged by pageToken', async () => {
    const results: Json[] = [];
    let pageToken: string | undefined;
    do {
      const response = await sendJson(`${registry.base}/ard/v1/search`, 'POST', { query: { text: 'discovery', filter: { tags: 'shared' } }, pageSize: 4, ...(pageToken ? { pageToken } : {}) });
      expect(response.status).toBe(200);
      const body = await json(response);
      expect(ardProblems('SearchResponse', body)).toEqual([]);
      results.push(...body.results);
      pageToken = body.pageToken;
    } while (pageToken);
    expect(results.map((r) => r.metadata.agentId).sort()).toEqual([...ids].sort());
    expect(results.map((r) => r.score)).toEqual([100, 99, 98, 97, 96, 95]);
    expect(new Set(results.map((r) => r.source))).toEqual(new Set([`${results[0].source}`]));
    expect(results[0].source).toMatch(/\/ard\/v1$/);
  });

  it('maps ARD filters to the structured filters, and a type filter without A2A cards to no results', async () => {
    const byProvider = await json(await sendJson(`${registry.base}/ard/v1/search`, 'POST', { query: { text: '', filter: { provider: ['Even Org'], capabilities: 'skill-2' } } }));
    expect(byProvider.results.map((r: Json) => r.metadata.agentId)).toEqual([ids[1]]);
    const mcp = await json(await sendJson(`${registry.base}/ard/v1/search`, 'POST', { query: { text: 'discovery', filter: { type: ['application/mcp-server-card+json'] } } }));
    expect(mcp).toEqual({ results: [] });
    const a2a = await json(await sendJson(`${registry.base}/ard/v1/search`, 'POST', { query: { text: 'discovery', filter: { type: [A2A, 'application/mcp-server-card+json'] } } }));
    expect(a2a.results).toHaveLength(6);
  });

  it('GET /ard/v1/agents/{identifier} answers the full entry with an ETag, 404 NOT_FOUND and 400 INVALID_ARGUMENT in the ARD envelope', async () => {
    const identifier = `urn:air:localhost:agents:${ids[0]}`;
    const response = await fetch(`${registry.base}/ard/v1/agents/${encodeURIComponent(identifier)}`);
    expect(response.status).toBe(200);
    const entry = await json(response);
    expect(entryProblems(entry)).toEqual([]);
    expect(entry.identifier).toBe(identifier);
    expect(entry).not.toHaveProperty('score');
    const etag = response.headers.get('etag') as string;
    expect((await fetch(`${registry.base}/ard/v1/agents/${encodeURIComponent(identifier)}`, { headers: { 'if-none-match': etag } })).status).toBe(304);

    const missing = await fetch(`${registry.base}/ard/v1/agents/${encodeURIComponent('urn:air:localhost:agents:nobody')}`);
    expect(missing.status).toBe(404);
    const missingBody = await json(missing);
    expect(ardProblems('Error', missingBody)).toEqual([]);
    expect(missingBody.errorCode).toBe('NOT_FOUND');
    const foreign = await fetch(`${registry.base}/ard/v1/agents/${encodeURIComponent('urn:air:other.example:agent:x')}`);
    expect((await json(foreign)).errorCode).toBe('NOT_FOUND');

    for (const bad of ['not-an-identifier', 'urn%3Aair%3A', '%E0%A4%A']) {
      const refused = await fetch(`${registry.base}/ard/v1/agents/${bad}`);
      expect(refused.status, bad).toBe(400);
      const body = await json(refused);
      expect(ardProblems('Error', body), bad).toEqual([]);
      expect(body.errorCode, bad).toBe('INVALID_ARGUMENT');
    }
  });

  it('GET /ard/v1/agents lists every active agent once, with the exact total, valid by ListResponse', async () => {
    const items: Json[] = [];
    let pageToken: string | undefined;
    do {
      const body = await json(await fetch(`${registry.base}/ard/v1/agents?pageSize=4${pageToken ? `&pageToken=${pageToken}` : ''}`));
      expect(ardProblems('ListResponse', body)).toEqual([]);
      expect(body.total).toBe(6);
      items.push(...body.items);
      pageToken = body.pageToken;
    } while (pageToken);
    expect(items.map((item) => item.metadata.agentId).sort()).toEqual([...ids].sort());
  });

  it('POST /ard/v1/explore counts the matches by type, tag, provider and binding, valid by ExploreResponse', async () => {
    const response = await sendJson(`${registry.base}/ard/v1/explore`, 'POST', {
      query: { text: 'discovery' },
      resultType: { facets: [{ field: 'type' }, { field: 'tags', limit: 3 }, { field: 'provider' }, { field: 'binding' }] },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('ard-facet-counts')).toBe('exact');
    const body = await json(response);
    expect(ardProblems('ExploreResponse', body)).toEqual([]);
    expect(body.facets.type.buckets).toEqual([{ value: A2A, count: 6 }]);
    expect(body.facets.tags.buckets[0]).toEqual({ value: 'shared', count: 6 });
    expect(body.facets.tags.buckets).toHaveLength(3);
    expect(body.facets.provider.buckets).toEqual([{ value: 'Odd Org', count: 3 }, { value: 'Even Org', count: 3 }]);
    expect(body.facets.binding.buckets).toEqual([{ value: 'JSONRPC', count: 6 }]);
    const narrowed = await json(await sendJson(`${registry.base}/ard/v1/explore`, 'POST', { query: { filter: { provider: 'Even Org' } }, resultType: { facets: [{ field: 'type' }] } }));
    expect(narrowed.facets.type.buckets).toEqual([{ value: A2A, count: 3 }]);
  });

  it('answers every malformed ARD request with 400 INVALID_ARGUMENT in the ARD envelope', async () => {
    const cases: [string, string, unknown][] = [
      ['POST', '/ard/v1/search', '{"query": '],
      ['POST', '/ard/v1/search', { query: { text: 'x', filter: { color: 'red' } } }],
      ['POST', '/ard/v1/search', { query: { text: 'x', filter: { tags: ['a', 'b'] } } }],
      ['POST', '/ard/v1/search', { query: {} }],
      ['POST', '/ard/v1/search', { query: { text: 'x' }, pageSize: 101 }],
      ['POST', '/ard/v1/search', { query: { text: 'x' }, pageToken: 'bm90LWEtdG9rZW4' }],
      ['POST', '/ard/v1/explore', { resultType: { facets: [{ field: 'colour' }] } }],
      ['GET', '/ard/v1/agents?filter=type%3D1', undefined],
      ['GET', '/ard/v1/agents?pageSize=0', undefined],
    ];
    for (const [method, path, body] of cases) {
      const response = method === 'GET' ? await fetch(`${registry.base}${path}`) : await sendJson(`${registry.base}${path}`, method, body);
      const answer = await json(response);
      expect(response.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(ardProblems('Error', answer)).toEqual([]);
      expect(answer.errorCode).toBe('INVALID_ARGUMENT');
    }
    const unknown = await fetch(`${registry.base}/ard/v1/nothing`);
    expect(unknown.status).toBe(404);
    expect((await json(unknown)).errorCode).toBe('NOT_FOUND');
  });
});

describe('the ARD API under a read budget', () => {
  const registry = useRegistry({ RATE_LIMIT_READS_PER_MINUTE: '2' });

  it('answers a spent budget with 429 RATE_LIMIT_EXCEEDED in the ARD envelope, with Retry-After', async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 3; i++) {
      last = await sendJson(`${registry.base}/ard/v1/search`, 'POST', { query: { text: 'anything' } });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(last?.headers.get('retry-after')).toMatch(/^\d+$/);
    const body = await json(last as Response);
    expect(ardProblems('Error', body)).toEqual([]);
    expect(body.errorCode).toBe('RATE_LIMIT_EXCEEDED');
  });
});

describe('catalog documents without a signing key', () => {
  const registry = useRegistry();

  it('serve no signature and publish an empty key set', async () => {
    const root = await json(await fetch(`${registry.base}/.well-known/ai-catalog.json`));
    expect(root).not.toHaveProperty('signature');
    expect(catalogProblems(root)).toEqual([]);
    expect(await json(await fetch(`${registry.base}/.well-known/jwks.json`))).toEqual({ keys: [] });
  });
});
