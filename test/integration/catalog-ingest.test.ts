import { describe, expect, it } from 'vitest';
import { agentIdForAirIdentifier } from '../../src/agents/air-identifier.js';
import { cardEntryAt, catalogOf, expectValidCatalog, inlineCardEntry, nestedCatalogEntry, useCatalogHost } from '../helpers/catalog-host.js';
import { cardV1 } from '../helpers/cards.js';
import { sendJson } from '../helpers/registry-server.js';
import { useRegistry } from '../helpers/use-registry.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (response: Response): Promise<any> => response.json();

/** A card named `name`, valid and distinct. */
const cardNamed = (name: string) => cardV1({ name, description: `${name} answers questions` });

/** Every outcome of an ingest's answer, by identifier. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const outcomes = (answer: any): Record<string, string> => Object.fromEntries(answer.entries.map((entry: any) => [entry.identifier, entry.outcome]));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const entryOf = (answer: any, identifier: string): any => answer.entries.find((entry: any) => entry.identifier === identifier);

const CONCURRENCY = 4;

describe('register-by-URL of AI Catalogs (loopback publishers, test mode)', () => {
  const publisher = useCatalogHost();
  const registry = useRegistry({
    OUTBOUND_ALLOW_HTTP: 'true',
    OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true',
    CATALOG_INGEST_CONCURRENCY: String(CONCURRENCY),
    CATALOG_INGEST_DEADLINE_SECONDS: '120',
  });
  const registerUrl = (url: string, extra: Record<string, unknown> = {}) => sendJson(`${registry.base}/agents/register-url`, 'POST', { url, ...extra });

  it('reads the ARD manifest of a publisher origin before its ai-catalog.json, and keeps identifiers exactly', async () => {
    publisher.documents.clear();
    publisher.serve('/.well-known/ard.json', catalogOf([inlineCardEntry('urn:air:127.0.0.1:Demo:Ard-Agent', cardNamed('Ard Agent'))]));
    publisher.serve('/.well-known/ai-catalog.json', catalogOf([inlineCardEntry('urn:air:127.0.0.1:demo:catalog-agent', cardNamed('Catalog Agent'))]));
    expectValidCatalog(publisher.documents.get('/.well-known/ard.json')?.body);
    expectValidCatalog(publisher.documents.get('/.well-known/ai-catalog.json')?.body);
    const response = await registerUrl(publisher.origin);
    expect(response.status).toBe(200);
    const answer = await json(response);
    expect(answer).toMatchObject({ kind: 'catalog', catalog_url: `${publisher.origin}/.well-known/ard.json`, complete: true, catalogs: 1 });
    expect(answer.totals).toEqual({ entries: 1, registered: 1, updated: 0, unchanged: 0, skipped: 0, failed: 0 });
    const agentId = agentIdForAirIdentifier('urn:air:127.0.0.1:Demo:Ard-Agent');
    expect(answer.entries).toEqual([
      { identifier: 'urn:air:127.0.0.1:Demo:Ard-Agent', agent_id: agentId, outcome: 'registered', catalog_url: `${publisher.origin}/.well-known/ard.json` },
    ]);
    const record = await json(await fetch(`${registry.base}/agents/${encodeURIComponent(agentId)}`));
    expect(record.air_identifier).toBe('urn:air:127.0.0.1:Demo:Ard-Agent');
    expect(record.agent_card.name).toBe('Ard Agent');
    expect((await fetch(`${registry.base}/agents/${encodeURIComponent(agentIdForAirIdentifier('urn:air:127.0.0.1:demo:catalog-agent'))}`)).status).toBe(404);
  });

  it('serves an ingested agent under its publisher identifier, in the ARD API and in the registry catalog', async () => {
    publisher.documents.clear();
    const identifier = 'urn:air:127.0.0.1:Served:Kept-Agent';
    publisher.serve('/catalog.json', catalogOf([inlineCardEntry(identifier, cardNamed('Kept Agent'))]));
    expect((await registerUrl(`${publisher.origin}/catalog.json`)).status).toBe(200);
    const looked = await fetch(`${registry.base}/ard/v1/agents/${encodeURIComponent(identifier)}`);
    expect(looked.status).toBe(200);
    expect(await json(looked)).toMatchObject({ identifier, displayName: 'Kept Agent', type: 'application/a2a-agent-card+json' });
    const leaf = await json(await fetch(`${registry.base}/ai-catalog/pages/0/0`));
    expect(leaf.entries.filter((entry: { identifier: string }) => entry.identifier === identifier)).toHaveLength(1);
    const otherCase = identifier.replace('Kept-Agent', 'kept-agent');
    expect((await fetch(`${registry.base}/ard/v1/agents/${encodeURIComponent(otherCase)}`)).status).toBe(404);
  });

  it('falls back to ai-catalog.json when the origin has no ARD manifest', async () => {
    publisher.documents.clear();
    publisher.serve('/.well-known/ai-catalog.json', catalogOf([inlineCardEntry('urn:air:127.0.0.1:demo:catalog-agent', cardNamed('Catalog Agent'))]), 'application/ai-catalog+json');
    const answer = await json(await registerUrl(publisher.origin));
    expect(answer.catalog_url).toBe(`${publisher.origin}/.well-known/ai-catalog.json`);
    expect(outcomes(answer)).toEqual({ 'urn:air:127.0.0.1:demo:catalog-agent': 'registered' });
  });

  it('falls back to the single well-known card, answered as before (201, the saved record)', async () => {
    publisher.documents.clear();
    publisher.serve('/.well-known/agent-card.json', cardNamed('Single Card'));
    const response = await registerUrl(publisher.origin);
    expect(response.status).toBe(201);
    const saved = await json(response);
    expect(saved).toMatchObject({ agent_id: 'single-card', source_url: `${publisher.origin}/.well-known/agent-card.json` });
    expect(saved).not.toHaveProperty('kind');
    expect(saved).not.toHaveProperty('air_identifier');
    expect(publisher.state.paths.slice(-3)).toEqual(['/.well-known/ard.json', '/.well-known/ai-catalog.json', '/.well-known/agent-card.json']);
  });

  it('ingests a catalog URL with inline and fetched entries, skipping other types, reporting malformed ones apart', async () => {
    publisher.documents.clear();
    publisher.serve('/cards/fetched.json', cardNamed('Fetched Agent'));
    publisher.serve('/cards/invalid.json', { name: 'No interfaces at all' });
    publisher.serve(
      '/catalog.json',
      catalogOf([
        inlineCardEntry('urn:air:127.0.0.1:mixed:inline', cardNamed('Inline Agent')),
        cardEntryAt('urn:air:127.0.0.1:mixed:fetched', `${publisher.origin}/cards/fetched.json`),
        cardEntryAt('urn:air:127.0.0.1:mixed:relative', 'cards/fetched.json'),
        { identifier: 'urn:air:127.0.0.1:mixed:mcp', displayName: 'Tool', type: 'application/mcp-server-card+json', url: 'https://example.com/mcp.json' },
        { identifier: 'not-an-identifier', displayName: 'Bad', type: 'application/a2a-agent-card+json', data: cardNamed('Bad') },
        { identifier: 'urn:air:127.0.0.1:mixed:both', displayName: 'Both', type: 'application/a2a-agent-card+json', url: `${publisher.origin}/x.json`, data: {} },
        { identifier: 'urn:air:127.0.0.1:mixed:neither', displayName: 'Neither', type: 'application/a2a-agent-card+json' },
        cardEntryAt('urn:air:127.0.0.1:mixed:invalid-card', `${publisher.origin}/cards/invalid.json`),
        cardEntryAt('urn:air:127.0.0.1:mixed:missing-card', `${publisher.origin}/cards/missing.json`),
        inlineCardEntry('urn:air:127.0.0.1:mixed:inline', cardNamed('Inline Twin')),
        'not even an object',
      ]),
    );
    // Valid but for the entries meant to be malformed (the fourth to sixth, and the last).
    const body = publisher.documents.get('/catalog.json')?.body as { entries: unknown[] };
    expectValidCatalog({ ...body, entries: body.entries.filter((_, i) => ![4, 5, 6, 10].includes(i) && i !== 2) });
    const response = await registerUrl(`${publisher.origin}/catalog.json`);
    expect(response.status).toBe(200);
    const answer = await json(response);
    expect(answer.complete).toBe(true);
    expect(answer.totals).toEqual({ entries: 11, registered: 3, updated: 0, unchanged: 0, skipped: 2, failed: 6 });
    expect(entryOf(answer, 'urn:air:127.0.0.1:mixed:mcp')).toMatchObject({ outcome: 'skipped', error: { code: 'unsupported_type' } });
    expect(entryOf(answer, 'not-an-identifier')).toMatchObject({ outcome: 'failed', error: { code: 'invalid_entry' } });
    expect(entryOf(answer, 'not-an-identifier').error.message).toContain('$.entries[4].identifier');
    expect(entryOf(answer, 'urn:air:127.0.0.1:mixed:both').error).toMatchObject({ code: 'invalid_entry', message: expect.stringContaining('exactly one of url and data') });
    expect(entryOf(answer, 'urn:air:127.0.0.1:mixed:neither').error.code).toBe('invalid_entry');
    expect(entryOf(answer, 'urn:air:127.0.0.1:mixed:invalid-card').error.code).toBe('invalid_agent_card');
    expect(entryOf(answer, 'urn:air:127.0.0.1:mixed:missing-card').error.code).toBe('upstream_error');
    expect(answer.entries[9]).toMatchObject({ identifier: 'urn:air:127.0.0.1:mixed:inline', outcome: 'skipped', error: { code: 'duplicate_identifier' } });
    expect(answer.entries[10]).toMatchObject({ outcome: 'failed', error: { code: 'invalid_entry' } });
    expect(answer.entries[10]).not.toHaveProperty('identifier');

    const fetched = await json(await fetch(`${registry.base}/agents/${agentIdForAirIdentifier('urn:air:127.0.0.1:mixed:fetched')}`));
    expect(fetched.agent_card.name).toBe('Fetched Agent');
    const inline = await json(await fetch(`${registry.base}/agents/${agentIdForAirIdentifier('urn:air:127.0.0.1:mixed:inline')}`));
    expect(inline.agent_card.name).toBe('Inline Agent');
  });

  it('answers a repeated ingest of the same catalog with every entry unchanged, and writes nothing', async () => {
    const id = agentIdForAirIdentifier('urn:air:127.0.0.1:mixed:inline');
    const before = await json(await fetch(`${registry.base}/agents/${id}`));
    const answer = await json(await registerUrl(`${publisher.origin}/catalog.json`));
    expect(answer.totals).toMatchObject({ registered: 0, updated: 0, unchanged: 3 });
    expect((await json(await fetch(`${registry.base}/agents/${id}`))).revision).toBe(before.revision);
  });

  it('follows nested catalogs (by URL and inline) down to depth 4 and reports the one nested deeper', async () => {
    publisher.documents.clear();
    const level = (depth: number) => `/nested/level-${depth}.json`;
    for (let depth = 1; depth <= 5; depth++) {
      publisher.serve(
        level(depth),
        catalogOf([
          inlineCardEntry(`urn:air:127.0.0.1:nested:agent-${depth}`, cardNamed(`Nested ${depth}`)),
          nestedCatalogEntry(`urn:air:127.0.0.1:nested:catalog-${depth + 1}`, `${publisher.origin}${level(depth + 1)}`),
        ]),
      );
    }
    const inlineNested = {
      identifier: 'urn:air:127.0.0.1:nested:inline-catalog',
      displayName: 'Inline catalog',
      type: 'application/ai-catalog+json',
      data: catalogOf([inlineCardEntry('urn:air:127.0.0.1:nested:inside-inline', cardNamed('Inside Inline'))]),
    };
    publisher.serve('/nested/root.json', catalogOf([nestedCatalogEntry('urn:air:127.0.0.1:nested:catalog-1', `${publisher.origin}${level(1)}`), inlineNested]));
    for (const path of ['/nested/root.json', level(1), level(5)]) expectValidCatalog(publisher.documents.get(path)?.body);
    const answer = await json(await registerUrl(`${publisher.origin}/nested/root.json`));
    expect(answer.catalogs).toBe(6);
    expect(outcomes(answer)).toEqual({
      'urn:air:127.0.0.1:nested:inside-inline': 'registered',
      'urn:air:127.0.0.1:nested:agent-1': 'registered',
      'urn:air:127.0.0.1:nested:agent-2': 'registered',
      'urn:air:127.0.0.1:nested:agent-3': 'registered',
      'urn:air:127.0.0.1:nested:agent-4': 'registered',
      'urn:air:127.0.0.1:nested:catalog-5': 'skipped',
    });
    expect(entryOf(answer, 'urn:air:127.0.0.1:nested:catalog-5')).toMatchObject({ error: { code: 'catalog_too_deep' }, catalog_url: `${publisher.origin}${level(4)}` });
    expect(publisher.state.paths).not.toContain(level(5));
  });

  it('does not read a catalog that links to itself, or back to one already read', async () => {
    publisher.documents.clear();
    publisher.serve(
      '/loop/a.json',
      catalogOf([
        inlineCardEntry('urn:air:127.0.0.1:loop:agent-a', cardNamed('Loop A')),
        nestedCatalogEntry('urn:air:127.0.0.1:loop:self', `${publisher.origin}/loop/a.json`),
        nestedCatalogEntry('urn:air:127.0.0.1:loop:b', `${publisher.origin}/loop/b.json`),
      ]),
    );
    publisher.serve('/loop/b.json', catalogOf([nestedCatalogEntry('urn:air:127.0.0.1:loop:back-to-a', `${publisher.origin}/loop/a.json`)]));
    publisher.resetCounts();
    const answer = await json(await registerUrl(`${publisher.origin}/loop/a.json`));
    expect(answer.complete).toBe(true);
    expect(entryOf(answer, 'urn:air:127.0.0.1:loop:self').error.code).toBe('catalog_cycle');
    expect(entryOf(answer, 'urn:air:127.0.0.1:loop:back-to-a').error.code).toBe('catalog_cycle');
    expect(publisher.state.paths.filter((path) => path === '/loop/a.json')).toHaveLength(1);
  });

  it(`ingests 2,000 entries from nested catalogs with at most ${CONCURRENCY} card fetches at once`, async () => {
    publisher.documents.clear();
    const parts = 10;
    const perPart = 200;
    for (let part = 0; part < parts; part++) {
      const entries = Array.from({ length: perPart }, (_, i) => {
        const n = part * perPart + i;
        publisher.serve(`/many/cards/${n}.json`, cardNamed(`Many ${n}`));
        return cardEntryAt(`urn:air:127.0.0.1:many:agent-${n}`, `${publisher.origin}/many/cards/${n}.json`);
      });
      publisher.serve(`/many/part-${part}.json`, catalogOf(entries));
    }
    expectValidCatalog(publisher.documents.get('/many/part-9.json')?.body);
    publisher.serve('/many/root.json', catalogOf(Array.from({ length: parts }, (_, part) => nestedCatalogEntry(`urn:air:127.0.0.1:many:part-${part}`, `${publisher.origin}/many/part-${part}.json`))));
    expectValidCatalog(publisher.documents.get('/many/root.json')?.body);
    publisher.resetCounts();
    publisher.state.delayMs = 2;
    try {
      const answer = await json(await registerUrl(`${publisher.origin}/many/root.json`));
      expect(answer.totals).toEqual({ entries: 2000, registered: 2000, updated: 0, unchanged: 0, skipped: 0, failed: 0 });
      expect(answer.complete).toBe(true);
      expect(publisher.state.maxInFlight).toBeLessThanOrEqual(CONCURRENCY);
      expect(publisher.state.maxInFlight).toBeGreaterThan(1);
      const last = await json(await fetch(`${registry.base}/agents/${agentIdForAirIdentifier('urn:air:127.0.0.1:many:agent-1999')}`));
      expect(last.air_identifier).toBe('urn:air:127.0.0.1:many:agent-1999');
    } finally {
      publisher.state.delayMs = 0;
    }
  }, 60_000);

  it('answers the same report over JSON-RPC, in camelCase for the A2A-style method', async () => {
    publisher.documents.clear();
    publisher.serve('/rpc.json', catalogOf([inlineCardEntry('urn:air:127.0.0.1:rpc:one', cardNamed('Rpc One'))]));
    const call = async (method: string) =>
      json(await sendJson(`${registry.base}/jsonrpc`, 'POST', { jsonrpc: '2.0', id: 1, method, params: { url: `${publisher.origin}/rpc.json` } }));
    const snake = await call('register_agent_url');
    expect(snake.result).toMatchObject({ kind: 'catalog', catalog_url: `${publisher.origin}/rpc.json`, entries: [{ outcome: 'registered', agent_id: agentIdForAirIdentifier('urn:air:127.0.0.1:rpc:one') }] });
    const camel = await call('RegisterAgentCardFromUrl');
    expect(camel.result).toMatchObject({ kind: 'catalog', catalogUrl: `${publisher.origin}/rpc.json`, entries: [{ outcome: 'unchanged', agentId: agentIdForAirIdentifier('urn:air:127.0.0.1:rpc:one') }] });
  });

  it('refuses an agent_id for a catalog with 400, and a document served as a catalog that is not one with 502', async () => {
    publisher.documents.clear();
    publisher.serve('/one.json', catalogOf([inlineCardEntry('urn:air:127.0.0.1:rpc:one', cardNamed('Rpc One'))]));
    const named = await registerUrl(`${publisher.origin}/one.json`, { agent_id: 'chosen' });
    expect(named.status).toBe(400);
    expect((await json(named)).error.code).toBe('validation_failed');
    publisher.serve('/broken.json', { specVersion: '1.0', entries: 'none' }, 'application/ai-catalog+json');
    const broken = await registerUrl(`${publisher.origin}/broken.json`);
    expect(broken.status).toBe(502);
    expect((await json(broken)).error.code).toBe('invalid_catalog');
  });
});

describe('the worker of a registry keeps an ingested catalog in step (refresh every second, no grace)', () => {
  const publisher = useCatalogHost();
  const registry = useRegistry({
    OUTBOUND_ALLOW_HTTP: 'true',
    OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true',
    SWEEP_INTERVAL_SECONDS: '1',
    CARD_REFRESH_INTERVAL_SECONDS: '1',
    CATALOG_REMOVAL_GRACE_HOURS: '0',
  });

  it('deprecates, then deletes, the agent of an entry that left the catalog, and updates a changed one', async () => {
    const staying = 'urn:air:127.0.0.1:worker:staying';
    const leaving = 'urn:air:127.0.0.1:worker:leaving';
    publisher.serve('/catalog.json', catalogOf([inlineCardEntry(staying, cardNamed('Staying')), inlineCardEntry(leaving, cardNamed('Leaving'))]));
    const answer = await json(await sendJson(`${registry.base}/agents/register-url`, 'POST', { url: `${publisher.origin}/catalog.json` }));
    expect(answer.totals.registered).toBe(2);

    publisher.serve('/catalog.json', catalogOf([inlineCardEntry(staying, cardV1({ name: 'Staying', description: 'Changed by its publisher' }))]));
    const agent = (identifier: string) => fetch(`${registry.base}/agents/${encodeURIComponent(agentIdForAirIdentifier(identifier))}`);
    const deadline = Date.now() + 15_000;
    const seen = new Set<string>();
    while (Date.now() < deadline) {
      const response = await agent(leaving);
      if (response.status === 404) {
        seen.add('deleted');
        break;
      }
      if ((await json(response)).lifecycle_status === 'deprecated') seen.add('deprecated');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(seen).toEqual(new Set(['deprecated', 'deleted']));
    const updated = await json(await agent(staying));
    expect(updated.agent_card.description).toBe('Changed by its publisher');
    expect(updated.air_identifier).toBe(staying);
  }, 30_000);
});
