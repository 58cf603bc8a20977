import { describe, expect, it } from 'vitest';
import { ArdService } from '../../src/ard/ard-service.js';
import { presentCatalogEntry } from '../../src/catalog/catalog-entry-presenter.js';
import { ACTIVE_LIFECYCLE, type AgentRecord } from '../../src/store/agent-record.js';
import type { AgentStore } from '../../src/store/agent-store.js';
import type { SearchService } from '../../src/search/search-service.js';
import { agentIdForAirIdentifier, assignedAirIdentifier } from '../../src/agents/air-identifier.js';
import { entryProblems } from '../helpers/ard-schemas.js';
import { cardV03, cardV1 } from '../helpers/cards.js';

const site = { publicUrl: 'https://registry.example.com', publisher: 'registry.example.com' };

const recordOf = (id: string, card: Record<string, unknown>, extra: Partial<AgentRecord> = {}): AgentRecord => ({
  id,
  card: JSON.stringify(card),
  summary: { format: 'a2a-1.0', name: String(card.name), description: String(card.description), signatureStatus: 'verified' },
  revision: 7,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-02-01T00:00:00.000Z',
  status: 'active',
  ttlSeconds: 0,
  owner: 'alice',
  domainVerified: true,
  lifecycle: ACTIVE_LIFECYCLE,
  ...extra,
});

describe('the catalog entry of an agent', () => {
  it('keeps a publisher\'s own identifier exactly, and points at the card where it was fetched from', () => {
    const identifier = 'urn:air:acme.example:finance:Ledger.Agent';
    const record = recordOf(agentIdForAirIdentifier(identifier), cardV1({ name: 'Ledger' }), { airIdentifier: identifier, sourceUrl: 'https://acme.example/agents/ledger.json' });
    const entry = presentCatalogEntry(record, site);
    expect(entryProblems(entry)).toEqual([]);
    expect(entry).toMatchObject({ identifier, url: 'https://acme.example/agents/ledger.json', metadata: { signatureStatus: 'verified', domainVerified: true } });
  });

  it('assigns the registry\'s identifier to an agent without one, in hexadecimal when its id cannot be spelled in a URN', () => {
    expect(presentCatalogEntry(recordOf('weather', cardV1()), site)).toMatchObject({
      identifier: 'urn:air:registry.example.com:agents:weather',
      url: 'https://registry.example.com/agents/weather/card',
    });
    expect(presentCatalogEntry(recordOf('we~ather', cardV1()), site).identifier).toBe(`urn:air:registry.example.com:agents-hex:${Buffer.from('we~ather').toString('hex')}`);
  });

  it('carries representative queries only with 2 to 5 examples, and bounds tags and capabilities', () => {
    const skills = (examples: string[]) => [{ id: 's', name: 'S', description: 'd', tags: Array.from({ length: 40 }, (_, i) => `tag-${i}`), examples }];
    expect(presentCatalogEntry(recordOf('one', cardV1({ skills: skills(['only one']) })), site)).not.toHaveProperty('representativeQueries');
    const many = presentCatalogEntry(recordOf('many', cardV1({ skills: skills(['a', 'b', 'c', 'd', 'e', 'f', 'g']) })), site);
    expect(many.representativeQueries).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(many.tags).toHaveLength(32);
    expect(entryProblems(many)).toEqual([]);
  });

  it('repeats at most 2,048 characters of a description: the card holds the whole', () => {
    const entry = presentCatalogEntry(recordOf('long', cardV1({ description: 'x'.repeat(10_000) })), site);
    expect(entry.description).toHaveLength(2048);
  });

  it('reads a 0.3 card alike, and leaves out the publisher of a card without a provider', () => {
    const entry = presentCatalogEntry(recordOf('translator', cardV03()), site);
    expect(entry).toMatchObject({ displayName: 'Translator', version: '0.9.0', tags: ['language', 'translation'], capabilities: ['translate'] });
    expect(entry).not.toHaveProperty('publisher');
    expect(entryProblems(entry)).toEqual([]);
  });
});

describe('ARD lookup of an agent that came with its publisher\'s identifier', () => {
  const identifier = 'urn:air:acme.example:finance:ledger';
  const record = recordOf(agentIdForAirIdentifier(identifier), cardV1({ name: 'Ledger' }), { airIdentifier: identifier });
  // The lookup reads one record by the id the identifier names; nothing else of the store.
  const store = { get: async (id: string) => (id === record.id ? record : null) } as unknown as AgentStore;
  const ard = new ArdService(store, {} as SearchService, site, `${site.publicUrl}/ard/v1`);

  it('finds it by that identifier, exactly', async () => {
    expect((await ard.agent(identifier)).identifier).toBe(identifier);
  });

  it('does not find it by the identifier the registry would have assigned, nor by another spelling', async () => {
    await expect(ard.agent(assignedAirIdentifier(site.publisher, record.id))).rejects.toMatchObject({ status: 404 });
    await expect(ard.agent('urn:air:ACME.example:finance:ledger')).rejects.toMatchObject({ status: 404 });
  });
});
