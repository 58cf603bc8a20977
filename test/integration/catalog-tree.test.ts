import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CatalogService, type CatalogSettings } from '../../src/catalog/catalog-service.js';
import type { CatalogDocument } from '../../src/catalog/catalog-responses.js';
import type { AgentStore } from '../../src/store/agent-store.js';
import { catalogProblems } from '../helpers/ard-schemas.js';
import { cardV1 } from '../helpers/cards.js';
import { storeBackends, TEST_OWNER, writeOf } from '../helpers/store-backends.js';

const PUBLIC_URL = 'https://registry.example.com';
const settings = (pageSize: number, fanout: number): CatalogSettings => ({
  site: { publicUrl: PUBLIC_URL, publisher: 'registry.example.com' },
  pageSize,
  fanout,
  host: { displayName: 'Test Registry' },
  ardBase: `${PUBLIC_URL}/ard/v1`,
});

/** The page a link names, read from the service as the route would. */
function nodeOf(url: string): { level: number; index: number } {
  const match = /\/ai-catalog\/pages\/(\d+)\/(\d+)$/.exec(url);
  if (!match) throw new Error(`not a page link: ${url}`);
  return { level: Number(match[1]), index: Number(match[2]) };
}

/** Every agent id the tree holds, and the deepest page's depth. */
async function walk(catalogs: CatalogService): Promise<{ agents: string[]; depth: number; documents: CatalogDocument[] }> {
  const agents: string[] = [];
  const documents: CatalogDocument[] = [];
  let depth = 0;
  const visit = async (document: CatalogDocument, at: number): Promise<void> => {
    documents.push(document);
    depth = Math.max(depth, at);
    for (const entry of document.entries) {
      if (entry.type === 'application/a2a-agent-card+json') agents.push(entry.metadata?.agentId as string);
      if (entry.type === 'application/ai-catalog+json') await visit(await catalogs.page(nodeOf(entry.url)), at + 1);
    }
  };
  await visit(await catalogs.root(), 0);
  return { agents, depth, documents };
}

describe.each(storeBackends.map((backend) => [backend.name, backend] as const))('%s: the catalog tree by agent number', (_name, backend) => {
  let store: AgentStore;
  let close: () => Promise<void>;
  beforeEach(async () => {
    ({ store, close } = await backend.open());
  });
  afterEach(async () => close());

  const register = async (count: number) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = `agent-${String(i).padStart(3, '0')}`;
      await store.save(writeOf(id, cardV1({ name: `Agent ${i}` })));
      ids.push(id);
    }
    return ids;
  };

  it('numberedIds maps a range of agent numbers to the agents that hold them, and tells the last number handed out', async () => {
    expect(await store.numberedIds(1, 10)).toEqual({ agents: [], lastNumber: 0 });
    const ids = await register(5);
    await store.delete('agent-001');
    const { agents, lastNumber } = await store.numberedIds(1, 4);
    expect(lastNumber).toBe(5);
    expect(agents).toEqual([
      { agentNumber: 1, id: ids[0] },
      { agentNumber: 3, id: ids[2] },
      { agentNumber: 4, id: ids[3] },
    ]);
    expect((await store.numberedIds(5, 300)).agents).toEqual([{ agentNumber: 5, id: ids[4] }]);
    expect((await store.numberedIds(0, 1)).agents).toEqual([]);
  });

  it('holds every agent exactly once, pages of at most the page size, index pages of at most the fan-out, all valid catalogs', async () => {
    const ids = await register(23);
    for (const gone of ['agent-004', 'agent-005', 'agent-017']) await store.delete(gone);
    const catalogs = new CatalogService(store, settings(2, 3));
    const { agents, depth, documents } = await walk(catalogs);
    expect(agents.sort()).toEqual(ids.filter((id) => !['agent-004', 'agent-005', 'agent-017'].includes(id)));
    // 23 numbers in pages of 2: 12 leaves, under 4 index pages of 3, under 2 of 3 (the root's two links): depth 3.
    expect(depth).toBe(3);
    for (const document of documents) {
      expect(catalogProblems(document)).toEqual([]);
      expect(document.entries.filter((e) => e.type === 'application/a2a-agent-card+json').length).toBeLessThanOrEqual(2);
      expect(document.entries.filter((e) => e.type === 'application/ai-catalog+json').length).toBeLessThanOrEqual(3);
    }
  });

  it('puts a small registry in the root alone, and builds one more level each time the numbers outgrow a level', async () => {
    await register(3);
    const small = await walk(new CatalogService(store, settings(100, 100)));
    expect(small).toMatchObject({ depth: 0, documents: [expect.anything()] });
    // Pages of 1 under index pages of 2: 3 leaves, 2 index pages, a root of level 2.
    const deep = await walk(new CatalogService(store, settings(1, 2)));
    expect(deep.depth).toBe(2);
    expect(deep.agents.sort()).toEqual(['agent-000', 'agent-001', 'agent-002']);
  });

  it('leaves agents whose heartbeats stopped out, and shows the lifecycle of the others', async () => {
    await register(2);
    await store.save(writeOf('agent-002', cardV1({ name: 'Agent 2' }), undefined, { ttlSeconds: 1 }));
    await store.expireDue(new Date(Date.now() + 2000), 10, 60_000);
    await store.setLifecycle('agent-001', { status: 'deprecated', message: 'use agent-000', now: new Date(), actor: TEST_OWNER });
    const { agents, documents } = await walk(new CatalogService(store, settings(10, 10)));
    expect(agents.sort()).toEqual(['agent-000', 'agent-001']);
    const entries = documents.flatMap((d) => d.entries);
    expect(entries.find((e) => e.metadata?.agentId === 'agent-001')?.metadata).toMatchObject({ lifecycleStatus: 'deprecated', livenessStatus: 'active' });
  });

  it('answers a page past the last agent number with NotFoundError', async () => {
    await register(3);
    const catalogs = new CatalogService(store, settings(2, 2));
    await expect(catalogs.page({ level: 0, index: 1 })).resolves.toMatchObject({ specVersion: '1.0' });
    await expect(catalogs.page({ level: 0, index: 2 })).rejects.toMatchObject({ status: 404 });
  });
});
