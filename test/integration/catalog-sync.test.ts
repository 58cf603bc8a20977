import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentIdForAirIdentifier } from '../../src/agents/air-identifier.js';
import { AgentService } from '../../src/agents/agent-service.js';
import { storedCards } from '../../src/agents/stored-cards.js';
import { asCatalog } from '../../src/catalog-ingest/catalog-document.js';
import { CatalogIngest } from '../../src/catalog-ingest/catalog-ingest.js';
import { CatalogIngestService } from '../../src/catalog-ingest/catalog-ingest-service.js';
import { CatalogSync } from '../../src/catalog-ingest/catalog-sync.js';
import { createLogger } from '../../src/logger.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { createSafeFetcher } from '../../src/outbound/safe-fetch.js';
import { signaturePolicy } from '../../src/signatures/signature-policy.js';
import type { AgentStore } from '../../src/store/agent-store.js';
import type { CatalogSourceStore } from '../../src/store/catalog-sources.js';
import { MemoryAgentStore } from '../../src/store/memory-agent-store.js';
import { MemoryCatalogSources } from '../../src/store/memory-catalog-sources.js';
import { RedisAgentStore } from '../../src/store/redis-agent-store.js';
import { RedisCatalogSources } from '../../src/store/redis-catalog-sources.js';
import { redisKeys } from '../../src/store/redis-keys.js';
import { CatalogRefresher } from '../../src/worker/catalog-refresher.js';
import { cardEntryAt, catalogOf, inlineCardEntry, nestedCatalogEntry, useCatalogHost } from '../helpers/catalog-host.js';
import { cardV1 } from '../helpers/cards.js';
import { connect, deleteKeys, uniquePrefix } from '../helpers/redis.js';

const HOUR = 3_600_000;
const GRACE_MS = 6 * HOUR;
const OWNER = { id: 'publisher', admin: false };

interface Backend {
  store: AgentStore;
  sources: CatalogSourceStore;
  close(): Promise<void>;
}

const backends: [string, () => Backend][] = [
  [
    'Redis',
    () => {
      const prefix = uniquePrefix();
      const connection = connect();
      const keys = redisKeys(prefix);
      const store = new RedisAgentStore(connection, keys, storedCards);
      return {
        store,
        sources: new RedisCatalogSources(connection, keys),
        async close() {
          await deleteKeys(connection, prefix);
          await store.close();
        },
      };
    },
  ],
  ['memory', () => ({ store: new MemoryAgentStore(storedCards), sources: new MemoryCatalogSources(), close: async () => {} })],
];

const noSignatureRules = signaturePolicy({ requireSigned: false, trustedJwks: undefined, originFetcher: undefined });

/** The agent service as the registry builds it, without signature requirements. */
const agentsOn = (store: AgentStore) =>
  new AgentService(store, {
    defaultTtlSeconds: 0,
    signatures: noSignatureRules,
    refreshIntervalSeconds: 3600,
    idempotencyTtlSeconds: 60,
  });

const cardNamed = (name: string, version = '1.0.0') => cardV1({ name, version, description: `${name} answers questions` });
const id = (name: string) => agentIdForAirIdentifier(`urn:air:127.0.0.1:sync:${name}`);
const entry = (name: string, version?: string) => inlineCardEntry(`urn:air:127.0.0.1:sync:${name}`, cardNamed(name, version));

describe.each(backends)('catalog sync on the %s store', (_name, open) => {
  const publisher = useCatalogHost();
  let backend: Backend;
  let catalogs: CatalogIngestService;
  let refresher: CatalogRefresher;
  let url: string;
  let metrics: Metrics;
  const t0 = new Date();
  const at = (hours: number) => new Date(t0.getTime() + hours * HOUR);

  /** An ingest service on the backend's stores: up to 100 entries two at a time and a 10 s request deadline, unless `settings` says otherwise. */
  function ingestService(settings: { maxEntries?: number; requireSigned?: boolean; requestDeadlineMs?: number; metrics?: Metrics } = {}) {
    const fetcher = createSafeFetcher({ allowHttp: true, allowPrivateNetworks: true });
    const agents = agentsOn(backend.store);
    const signatureRules = settings.requireSigned ? { ...noSignatureRules, requireSigned: true } : noSignatureRules;
    const service = new CatalogIngestService(
      new CatalogIngest({ store: backend.store, agents, fetcher }, fetcher, { concurrency: 2, maxEntries: settings.maxEntries ?? 100 }, signatureRules),
      new CatalogSync(backend.sources, agents, GRACE_MS),
      backend.sources,
      agents,
      { requestDeadlineMs: settings.requestDeadlineMs ?? 10_000, refreshIntervalMs: HOUR, ...(settings.metrics ? { metrics: settings.metrics } : {}) },
    );
    return { service, fetcher };
  }

  beforeEach(async () => {
    backend = open();
    metrics = new Metrics();
    const built = ingestService({ metrics });
    catalogs = built.service;
    const { fetcher } = built;
    refresher = new CatalogRefresher(catalogs, createLogger('silent', false));
    publisher.documents.clear();
    url = `${publisher.origin}/sync.json`;
    publisher.serve(url.slice(publisher.origin.length), catalogOf([entry('alpha'), entry('beta'), entry('gamma')]));
    const fetched = await fetcher.fetchCatalogAt(url);
    const answer = await catalogs.ingestFetched(url, asCatalog(fetched.json, fetched.contentType, url)!, OWNER);
    expect(answer.entries.map((e) => e.outcome)).toEqual(['registered', 'registered', 'registered']);
  });
  afterEach(async () => {
    await backend.close();
  });

  const serve = (entries: unknown[]) => publisher.serve('/sync.json', catalogOf(entries));
  const get = (name: string) => backend.store.get(id(name));

  it('reads a remembered catalog again only once it is due, and rewrites no unchanged entry', async () => {
    const before = await get('alpha');
    expect((await refresher.run(new Date(Date.now() + 60_000))).catalogsRead).toBe(0);
    const outcome = await refresher.run(at(2));
    expect(outcome).toMatchObject({ catalogsRead: 1, catalogsFailed: 0, catalogEntriesChanged: 0 });
    expect((await get('alpha'))?.revision).toBe(before?.revision);
  });

  it('deprecates an entry that left the catalog, deletes it after the grace period, and updates changed ones', async () => {
    serve([entry('alpha', '2.0.0'), entry('gamma')]);
    const removal = await refresher.run(at(2));
    expect(removal).toMatchObject({ catalogsRead: 1, catalogEntriesChanged: 1, catalogEntriesDeprecated: 1 });
    expect(JSON.parse((await get('alpha'))!.card).version).toBe('2.0.0');
    const left = await get('beta');
    expect(left?.lifecycle.status).toBe('deprecated');
    expect(left?.lifecycle.message).toMatch(/^Left its publisher's AI Catalog; deleted after .* unless it comes back$/);
    expect((await get('gamma'))?.lifecycle.status).toBe('active');

    expect((await refresher.run(at(4))).catalogEntriesDeleted).toBe(0);
    expect((await get('beta'))?.lifecycle.status).toBe('deprecated');

    expect((await refresher.run(at(2 + 6 + 1))).catalogEntriesDeleted).toBe(1);
    expect(await get('beta')).toBeNull();
    const [catalog] = await backend.sources.due(at(100), 10);
    expect((await backend.sources.heldEntries(catalog!.key)).map((held) => held.agentId).sort()).toEqual([id('alpha'), id('gamma')].sort());
  });

  /** The value of a counter of `metrics` with these labels. */
  const counted = async (name: string, labels: Record<string, string>) =>
    (await metrics.registry.getSingleMetric(name)!.get()).values.find((value) => Object.entries(labels).every(([k, v]) => value.labels[k] === v))?.value ?? 0;

  it('remembers each read and the entries missing since it, and counts reads and sync actions', async () => {
    const [catalog] = await backend.sources.due(at(100), 10);
    expect((await backend.sources.state(catalog!.key))?.lastRead).toMatchObject({ result: 'ok', signatureStatus: 'unsigned', missing: { count: 0 } });
    serve([entry('alpha'), entry('gamma')]);
    await refresher.run(at(2));
    expect((await backend.sources.state(catalog!.key))?.lastRead).toEqual({ at: at(2).getTime(), result: 'ok', signatureStatus: 'unsigned', missing: { count: 1, since: at(2).getTime() } });
    publisher.documents.delete('/sync.json');
    expect((await refresher.run(at(4))).catalogsFailed).toBe(1);
    // A failed read keeps what the last one found missing; its agents stay as they were.
    expect((await backend.sources.state(catalog!.key))?.lastRead).toEqual({ at: at(4).getTime(), result: 'failed', missing: { count: 1, since: at(2).getTime() } });
    expect(await counted('a2a_catalog_reads_total', { result: 'ok' })).toBe(2);
    expect(await counted('a2a_catalog_reads_total', { result: 'failed' })).toBe(1);
    expect(await counted('a2a_catalog_ingest_entries_total', { outcome: 'registered' })).toBe(3);
    expect(await counted('a2a_catalog_ingest_entries_total', { outcome: 'unchanged' })).toBe(2);
    expect(await counted('a2a_catalog_sync_actions_total', { action: 'deprecated' })).toBe(1);
    serve([entry('alpha'), entry('gamma')]);
    await refresher.run(at(2 + 6 + 1));
    expect(await counted('a2a_catalog_sync_actions_total', { action: 'deleted' })).toBe(1);
    expect((await backend.sources.state(catalog!.key))?.lastRead?.missing).toEqual({ count: 0 });
  });

  it('makes an entry that comes back within the grace period active again', async () => {
    serve([entry('alpha'), entry('gamma')]);
    await refresher.run(at(2));
    expect((await get('beta'))?.lifecycle.status).toBe('deprecated');
    serve([entry('alpha'), entry('beta'), entry('gamma')]);
    expect(await refresher.run(at(4))).toMatchObject({ catalogEntriesReactivated: 1, catalogEntriesDeprecated: 0 });
    expect((await get('beta'))?.lifecycle).toMatchObject({ status: 'active' });
    // Gone again later: the grace period starts over.
    serve([entry('alpha'), entry('gamma')]);
    await refresher.run(at(6));
    expect((await refresher.run(at(8))).catalogEntriesDeleted).toBe(0);
    expect((await get('beta'))?.lifecycle.status).toBe('deprecated');
  });

  it('takes nothing for removed from a read that was not complete (a nested catalog failed)', async () => {
    serve([entry('alpha'), nestedCatalogEntry('urn:air:127.0.0.1:sync:part', `${publisher.origin}/missing-part.json`)]);
    const outcome = await refresher.run(at(2));
    expect(outcome).toMatchObject({ catalogsRead: 1, catalogEntriesDeprecated: 0 });
    expect((await get('beta'))?.lifecycle.status).toBe('active');
    expect((await get('gamma'))?.lifecycle.status).toBe('active');
  });

  it('keeps the agents when the catalog cannot be read, and tries again next time', async () => {
    publisher.documents.delete('/sync.json');
    expect(await refresher.run(at(2))).toMatchObject({ catalogsRead: 0, catalogsFailed: 1 });
    expect((await get('beta'))?.lifecycle.status).toBe('active');
    serve([entry('alpha'), cardEntryAt('urn:air:127.0.0.1:sync:gamma', `${publisher.origin}/gamma.json`)]);
    publisher.serve('/gamma.json', cardNamed('gamma'));
    expect(await refresher.run(at(4))).toMatchObject({ catalogsRead: 1, catalogEntriesDeprecated: 1 });
    expect((await get('beta'))?.lifecycle.status).toBe('deprecated');
  });

  it('with signatures required, a refresh of a catalog whose signature does not verify fails, keeps its agents, and is remembered invalid', async () => {
    const { service: strict } = ingestService({ requireSigned: true });
    publisher.serve('/sync.json', { ...catalogOf([entry('alpha')]), signature: 'eyJhbGciOiJFUzI1NiJ9..c2lnbmF0dXJl' });
    const [catalog] = await strict.due(at(2), 10);
    await expect(strict.refresh(catalog!, at(2))).rejects.toMatchObject({ code: 'catalog_signature_invalid' });
    expect((await get('beta'))?.lifecycle.status).toBe('active');
    expect((await backend.sources.state(catalog!.key))?.lastRead).toMatchObject({ result: 'failed', signatureStatus: 'invalid' });
  });

  it('stops at the entry budget: the read is incomplete, takes nothing for removed, and the worker reads the catalog again at once', async () => {
    const { service: small, fetcher } = ingestService({ maxEntries: 2 });
    serve([entry('delta'), entry('epsilon'), entry('zeta')]);
    const fetched = await fetcher.fetchCatalogAt(url);
    const report = await small.ingestFetched(url, asCatalog(fetched.json, fetched.contentType, url)!, OWNER);
    expect(report).toMatchObject({ complete: false, stopped: 'entry_budget', sync: { deprecated: 0 } });
    expect(report.entries.map((e) => e.outcome)).toEqual(['registered', 'registered']);
    expect((await get('alpha'))?.lifecycle.status).toBe('active');
    expect((await small.due(new Date(), 10)).map((catalog) => catalog.url)).toEqual([url]);
  });

  it('stops starting entries at the request deadline, answers what it did, and leaves the rest to the worker at once', async () => {
    const { service: hurried, fetcher } = ingestService({ requestDeadlineMs: 150 });
    const names = Array.from({ length: 20 }, (_, i) => `slow-${i}`);
    for (const name of names) publisher.serve(`/slow/${name}.json`, cardNamed(name));
    serve(names.map((name) => cardEntryAt(`urn:air:127.0.0.1:sync:${name}`, `${publisher.origin}/slow/${name}.json`)));
    publisher.state.delayMs = 50;
    try {
      const fetched = await fetcher.fetchCatalogAt(url);
      const started = Date.now();
      const report = await hurried.ingestFetched(url, asCatalog(fetched.json, fetched.contentType, url)!, OWNER);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(report).toMatchObject({ complete: false, stopped: 'deadline', sync: { deprecated: 0 } });
      expect(report.entries.length).toBeGreaterThan(0);
      expect(report.entries.length).toBeLessThan(names.length);
      expect((await get('alpha'))?.lifecycle.status).toBe('active');
      expect((await hurried.due(new Date(), 10)).map((catalog) => catalog.url)).toEqual([url]);
    } finally {
      publisher.state.delayMs = 0;
    }
  });
});
