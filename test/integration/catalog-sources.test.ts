import { CompactSign } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentIdForAirIdentifier } from '../../src/agents/air-identifier.js';
import { AGENTS_DELETED_PER_REQUEST } from '../../src/catalog-sources/catalog-source-service.js';
import { canonicalJson } from '../../src/signatures/card-canonical.js';
import { catalogOf, inlineCardEntry, useCatalogHost } from '../helpers/catalog-host.js';
import { cardV1 } from '../helpers/cards.js';
import { connect, deleteKeys, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { sendJson, startRegistry, type RunningRegistry } from '../helpers/registry-server.js';
import { newSigner, type Signer } from '../helpers/signing.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const KEYS = { alice: 'alice-catalog-key', bob: 'bob-catalog-key', root: 'root-catalog-key' };
const sha256Hex = async (text: string) => (await import('node:crypto')).createHash('sha256').update(text).digest('hex');
type Who = keyof typeof KEYS | 'nobody';

const identifier = (catalog: string, name: string) => `urn:air:127.0.0.1:${catalog}:${name}`;
const entriesOf = (catalog: string, names: string[]) =>
  names.map((name) => inlineCardEntry(identifier(catalog, name), cardV1({ name, description: `${name} answers questions` })));

/** `document` with the AI Catalog's top-level detached JWS by `signer`, over the JCS form of the rest. */
async function signed(document: Record<string, unknown>, signer: Signer): Promise<Record<string, unknown>> {
  const jws = await new CompactSign(new TextEncoder().encode(canonicalJson(document))).setProtectedHeader({ alg: signer.alg, kid: signer.kid }).sign(signer.privateKey);
  const [head, , value] = jws.split('.');
  return { ...document, signature: `${head}..${value}` };
}

/** The value of a metric sample in a Prometheus exposition, 0 when absent. */
function sample(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

const backends: [string, boolean][] = [
  ['Redis', true],
  ['memory', false],
];

describe.each(backends)('ingested catalogs over HTTP on the %s store', (_name, onRedis) => {
  const publisher = useCatalogHost();
  const prefix = uniquePrefix();
  const redis = onRedis ? connect() : undefined;
  let running: RunningRegistry;
  let signer: Signer;

  beforeAll(async () => {
    signer = await newSigner('ES256', 'catalog-key-1');
    const apiKeys = [`alice:publisher:${await sha256Hex(KEYS.alice)}`, `bob:publisher:${await sha256Hex(KEYS.bob)}`, `root:admin:${await sha256Hex(KEYS.root)}`].join(',');
    running = await startRegistry({
      ...(onRedis ? { REDIS_URL: redisUrl(), REDIS_PREFIX: prefix } : {}),
      ROLE: 'api',
      AUTH_MODE: 'apikey',
      API_KEYS: apiKeys,
      RATE_LIMIT_FAILED_AUTH_PER_MINUTE: '0',
      OUTBOUND_ALLOW_HTTP: 'true',
      OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true',
    });
    publisher.serve('/.well-known/jwks.json', { keys: [signer.publicJwk] });
  });
  afterAll(async () => {
    await running.close();
    if (redis) {
      await deleteKeys(redis, prefix);
      redis.disconnect();
    }
  });

  const headersOf = (who: Who): Record<string, string> => (who === 'nobody' ? {} : { authorization: `Bearer ${KEYS[who]}` });
  const call = async (method: string, path: string, who: Who = 'alice') => {
    const response = await fetch(`${running.baseUrl}${path}`, { method, headers: headersOf(who) });
    return { status: response.status, body: (await response.json()) as Json };
  };
  const ingest = async (path: string, who: Who = 'alice') => {
    const response = await sendJson(`${running.baseUrl}/agents/register-url`, 'POST', { url: `${publisher.origin}${path}` }, headersOf(who));
    return { status: response.status, body: (await response.json()) as Json };
  };
  const rpc = async (method: string, params: Record<string, unknown>, who: Who = 'alice') =>
    (await (await sendJson(`${running.baseUrl}/jsonrpc`, 'POST', { jsonrpc: '2.0', id: 1, method, params }, headersOf(who))).json()) as Json;
  /** The key of the catalog at `path` among `who`'s. */
  const keyOf = async (path: string, who: Who = 'alice') => {
    const page = await call('GET', '/catalogs?limit=100', who);
    return (page.body.catalogs as Json[]).find((catalog) => catalog.url === `${publisher.origin}${path}`)?.key as string;
  };

  it('shows an owner the catalog it ingested: url, last read, next read, signature status and entries held', async () => {
    publisher.serve('/read.json', catalogOf(entriesOf('read', ['one', 'two'])));
    expect((await ingest('/read.json')).status).toBe(200);
    const key = await keyOf('/read.json');
    expect(key).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const { status, body } = await call('GET', `/catalogs/${key}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ key, url: `${publisher.origin}/read.json`, owner: 'alice', syncing: true, last_read_result: 'ok', signature_status: 'unsigned', entries: 2, missing_entries: 0 });
    expect(Date.parse(body.last_read_at)).toBeGreaterThan(Date.now() - 60_000);
    expect(Date.parse(body.next_read_at)).toBeGreaterThan(Date.now());
    expect(body.missing_since).toBeUndefined();
    expect((await ingest('/read.json')).status).toBe(200);
    expect(await keyOf('/read.json')).toBe(key);
  });

  it('counts entries missing since a read, and lists the same over JSON-RPC in both naming styles', async () => {
    publisher.serve('/shrinking.json', catalogOf(entriesOf('shrinking', ['stays', 'leaves'])));
    await ingest('/shrinking.json');
    publisher.serve('/shrinking.json', catalogOf(entriesOf('shrinking', ['stays'])));
    expect((await ingest('/shrinking.json')).body.sync).toEqual({ deprecated: 1, reactivated: 0, deleted: 0 });
    const key = await keyOf('/shrinking.json');
    const snake = await rpc('get_catalog', { key });
    expect(snake.result).toMatchObject({ key, entries: 2, missing_entries: 1 });
    expect(Date.parse(snake.result.missing_since)).toBeGreaterThan(Date.now() - 60_000);
    const camel = await rpc('GetCatalog', { key });
    expect(camel.result).toMatchObject({ key, entries: 2, missingEntries: 1, lastReadResult: 'ok' });
    const listed = await rpc('ListCatalogs', { limit: 100 });
    expect(listed.result.catalogs.map((catalog: Json) => catalog.key)).toContain(key);
  });

  it('keeps another owner out with 403, lets an admin in, and answers 404 for an unknown key and 400 for a malformed one', async () => {
    const key = await keyOf('/read.json');
    expect((await call('GET', `/catalogs/${key}`, 'bob')).status).toBe(403);
    expect((await call('DELETE', `/catalogs/${key}`, 'bob')).body.error.code).toBe('forbidden');
    expect((await rpc('get_catalog', { key }, 'bob')).error).toBeDefined();
    expect((await call('GET', `/catalogs/${key}`, 'root')).body.owner).toBe('alice');
    expect((await call('GET', '/catalogs/AAAAAAAAAAAAAAAAAAAAAA')).body.error.code).toBe('catalog_not_found');
    expect((await call('GET', '/catalogs/AAAAAAAAAAAAAAAAAAAAAA')).status).toBe(404);
    expect((await call('GET', '/catalogs/short')).status).toBe(400);
    expect((await call('GET', '/catalogs?limit=101')).status).toBe(400);
    expect((await call('GET', '/catalogs', 'nobody')).status).toBe(401);
  });

  it('pages an owner\'s catalogs with a cursor, and an admin sees every owner\'s', async () => {
    for (const n of [1, 2, 3]) {
      publisher.serve(`/bob-${n}.json`, catalogOf(entriesOf(`bob${n}`, ['agent'])));
      expect((await ingest(`/bob-${n}.json`, 'bob')).status).toBe(200);
    }
    const first = await call('GET', '/catalogs?limit=2', 'bob');
    expect(first.body.catalogs).toHaveLength(2);
    const second = await call('GET', `/catalogs?limit=2&cursor=${first.body.next_cursor}`, 'bob');
    expect(second.body.catalogs).toHaveLength(1);
    expect(second.body.next_cursor).toBeUndefined();
    const bobs = [...first.body.catalogs, ...second.body.catalogs];
    expect(bobs.every((catalog: Json) => catalog.owner === 'bob')).toBe(true);
    expect(new Set(bobs.map((catalog: Json) => catalog.url))).toEqual(new Set([1, 2, 3].map((n) => `${publisher.origin}/bob-${n}.json`)));
    const all = await call('GET', '/catalogs?limit=100', 'root');
    expect(new Set(all.body.catalogs.map((catalog: Json) => catalog.owner))).toEqual(new Set(['alice', 'bob']));
    expect((await call('GET', '/catalogs?limit=100', 'alice')).body.catalogs.every((catalog: Json) => catalog.owner === 'alice')).toBe(true);
  });

  it('stops syncing a catalog and keeps its agents as they are', async () => {
    const key = await keyOf('/bob-1.json', 'bob');
    const stopped = await call('DELETE', `/catalogs/${key}`, 'bob');
    expect(stopped).toEqual({ status: 200, body: { key, forgotten: true, agents_deleted: 0, agents_remaining: 1 } });
    expect((await call('GET', `/catalogs/${key}`, 'bob')).status).toBe(404);
    const agentId = agentIdForAirIdentifier(identifier('bob1', 'agent'));
    const agent = await fetch(`${running.baseUrl}/agents/${encodeURIComponent(agentId)}`);
    expect(agent.status).toBe(200);
    expect(((await agent.json()) as Json).status).toBe('active');
  });

  it('lets an admin stop another owner\'s catalog over JSON-RPC, deleting its agents', async () => {
    const key = await keyOf('/bob-2.json', 'bob');
    const answer = await rpc('StopCatalogSync', { key, deleteAgents: true }, 'root');
    expect(answer.result).toEqual({ key, forgotten: true, agentsDeleted: 1, agentsRemaining: 0 });
    expect((await fetch(`${running.baseUrl}/agents/${encodeURIComponent(agentIdForAirIdentifier(identifier('bob2', 'agent')))}`)).status).toBe(404);
  });

  it(`deletes a large catalog's agents ${AGENTS_DELETED_PER_REQUEST} per request (202 while some remain), then forgets it`, async () => {
    const names = Array.from({ length: AGENTS_DELETED_PER_REQUEST + 20 }, (_, i) => `bulk-${i}`);
    publisher.serve('/bulk.json', catalogOf(entriesOf('bulk', names)));
    expect((await ingest('/bulk.json')).body.totals.registered).toBe(names.length);
    const key = await keyOf('/bulk.json');
    const first = await call('DELETE', `/catalogs/${key}?delete_agents=true`);
    expect(first.status).toBe(202);
    expect(first.body.forgotten).toBe(false);
    expect(first.body.agents_deleted + first.body.agents_remaining).toBe(names.length);
    expect(first.body.agents_deleted).toBeLessThanOrEqual(AGENTS_DELETED_PER_REQUEST);
    expect((await call('GET', `/catalogs/${key}`)).body).toMatchObject({ syncing: false, entries: first.body.agents_remaining });
    let last = first;
    for (let i = 0; i < 5 && last.status === 202; i++) last = await call('DELETE', `/catalogs/${key}?delete_agents=true`);
    expect(last).toMatchObject({ status: 200, body: { forgotten: true, agents_remaining: 0 } });
    expect((await call('GET', `/catalogs/${key}`)).status).toBe(404);
    const page = (await (await fetch(`${running.baseUrl}/agents?limit=100&q=bulk`)).json()) as Json;
    expect(JSON.stringify(page)).not.toContain('bulk-');
  });

  it('reports a catalog signed with a key its origin publishes as verified, a bad signature as invalid, and none as unsigned', async () => {
    const good = await signed(catalogOf(entriesOf('signed', ['agent'])), signer);
    publisher.serve('/signed.json', good);
    const verified = await ingest('/signed.json');
    expect(verified.body).toMatchObject({ signature_status: 'verified', totals: { registered: 1 } });
    expect((await call('GET', `/catalogs/${await keyOf('/signed.json')}`)).body.signature_status).toBe('verified');

    const tampered = { ...good, entries: entriesOf('tampered', ['agent']) };
    publisher.serve('/tampered.json', tampered);
    const invalid = await ingest('/tampered.json');
    expect(invalid.status).toBe(200);
    expect(invalid.body).toMatchObject({ signature_status: 'invalid', totals: { registered: 1 } });
    expect((await call('GET', `/catalogs/${await keyOf('/tampered.json')}`)).body.signature_status).toBe('invalid');

    const stranger = await newSigner('ES256', 'unpublished-key');
    publisher.serve('/unknown-key.json', await signed(catalogOf(entriesOf('unknown-key', ['agent'])), stranger));
    expect((await ingest('/unknown-key.json')).body.signature_status).toBe('invalid');

    publisher.serve('/plain.json', catalogOf(entriesOf('plain', ['agent'])));
    expect((await ingest('/plain.json')).body.signature_status).toBe('unsigned');
  });

  it('counts reads, entries by outcome and sync actions', async () => {
    const metrics = async () => (await (await fetch(`${running.baseUrl}/metrics`)).text());
    const before = await metrics();
    publisher.serve('/counted.json', catalogOf([...entriesOf('counted', ['a', 'b']), { identifier: 'bad' }]));
    await ingest('/counted.json');
    publisher.serve('/counted.json', catalogOf(entriesOf('counted', ['a'])));
    await ingest('/counted.json');
    publisher.serve('/counted.json', catalogOf(entriesOf('counted', ['a', 'b'])));
    await ingest('/counted.json');
    const after = await metrics();
    const delta = (name: string, labels: string) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('a2a_catalog_reads_total', 'result="ok"')).toBe(3);
    expect(delta('a2a_catalog_ingest_entries_total', 'outcome="registered"')).toBe(2);
    expect(delta('a2a_catalog_ingest_entries_total', 'outcome="unchanged"')).toBe(3);
    expect(delta('a2a_catalog_ingest_entries_total', 'outcome="failed"')).toBe(1);
    expect(delta('a2a_catalog_sync_actions_total', 'action="deprecated"')).toBe(1);
    expect(delta('a2a_catalog_sync_actions_total', 'action="reactivated"')).toBe(1);
    expect(sample(after, 'a2a_catalog_sync_actions_total', 'action="deleted"')).toBe(0);
  });
});

describe('catalog signatures with REQUIRE_SIGNED_CARDS on', () => {
  const publisher = useCatalogHost();
  let running: RunningRegistry;
  let signer: Signer;
  beforeAll(async () => {
    signer = await newSigner('ES256', 'required-key');
    publisher.serve('/.well-known/jwks.json', { keys: [signer.publicJwk] });
    running = await startRegistry({ ROLE: 'api', REQUIRE_SIGNED_CARDS: 'true', OUTBOUND_ALLOW_HTTP: 'true', OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true' });
  });
  afterAll(() => running.close());
  const ingest = async (path: string) => {
    const response = await sendJson(`${running.baseUrl}/agents/register-url`, 'POST', { url: `${publisher.origin}${path}` });
    return { status: response.status, body: (await response.json()) as Json };
  };

  it('refuses a catalog whose signature does not verify, before reading any entry', async () => {
    const good = await signed(catalogOf(entriesOf('required', ['agent'])), signer);
    publisher.serve('/tampered.json', { ...good, entries: entriesOf('required-tampered', ['agent']) });
    const refused = await ingest('/tampered.json');
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('catalog_signature_invalid');
    expect(((await (await fetch(`${running.baseUrl}/catalogs`)).json()) as Json).catalogs).toEqual([]);
    expect((await fetch(`${running.baseUrl}/agents/${encodeURIComponent(agentIdForAirIdentifier(identifier('required-tampered', 'agent')))}`)).status).toBe(404);
  });

  it('reads an unsigned catalog, whose unsigned cards are refused entry by entry', async () => {
    publisher.serve('/plain.json', catalogOf(entriesOf('required-plain', ['agent'])));
    const read = await ingest('/plain.json');
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ signature_status: 'unsigned', totals: { failed: 1 } });
  });
});
