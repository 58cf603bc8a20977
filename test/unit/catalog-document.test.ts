import { describe, expect, it } from 'vitest';
import { asCatalog, readEntry } from '../../src/catalog-ingest/catalog-document.js';
import { InvalidCatalogError } from '../../src/errors.js';
import { catalogOf, isValidCatalog } from '../helpers/catalog-host.js';

const A2A = 'application/a2a-agent-card+json';
const good = { identifier: 'urn:air:example.com:travel:flights', displayName: 'Flights', type: A2A };

/** Entries and whether the specification's schema takes them. */
const entries: [string, unknown][] = [
  ['an entry by URL', { ...good, url: 'https://example.com/flights.json' }],
  ['an entry with its document inline', { ...good, data: { name: 'Flights' } }],
  ['an entry with every optional field', { ...good, url: 'https://example.com/f.json', tags: ['travel'], version: '1.0.0', updatedAt: '2026-01-01T00:00:00Z' }],
  ['an entry of another type', { ...good, type: 'application/mcp-server-card+json', url: 'https://example.com/mcp.json' }],
  ['an identifier that is not a urn:air', { ...good, identifier: 'urn:other:example.com:x', url: 'https://example.com/f.json' }],
  ['an identifier without a name', { ...good, identifier: 'urn:air:example.com', url: 'https://example.com/f.json' }],
  ['both url and data', { ...good, url: 'https://example.com/f.json', data: {} }],
  ['neither url nor data', { ...good }],
  ['no displayName', { identifier: good.identifier, type: A2A, url: 'https://example.com/f.json' }],
  ['no type', { identifier: good.identifier, displayName: 'F', url: 'https://example.com/f.json' }],
  ['data that is not an object', { ...good, data: 'card' }],
  ['not an object at all', 'entry'],
];

describe('catalog entries, read as the specification\'s schema reads them', () => {
  it.each(entries)('%s', (_what, entry) => {
    const read = readEntry(entry, 0);
    expect(read.ok).toBe(isValidCatalog(catalogOf([entry])));
    if (!read.ok) expect(read.message).toMatch(/^\$\.entries\[0\]/);
  });

  it('keeps the identifier of a malformed entry for its report, when it has one', () => {
    expect(readEntry({ ...good }, 3)).toMatchObject({ ok: false, identifier: good.identifier });
    expect(readEntry(42, 3)).not.toHaveProperty('identifier');
  });
});

describe('what is taken for a catalog', () => {
  it('a document shaped as one, whatever it is served as', () => {
    expect(asCatalog({ specVersion: '1.0', entries: [] }, 'application/json', 'https://example.com/c.json')).toEqual({ specVersion: '1.0', entries: [] });
  });

  it('not an agent card, nor a document served as JSON that is not shaped as a catalog', () => {
    expect(asCatalog({ name: 'Agent', supportedInterfaces: [] }, 'application/json', 'https://example.com/c.json')).toBeUndefined();
  });

  it('a document served as a catalog that is not one is an invalid_catalog error', () => {
    expect(() => asCatalog({ entries: {} }, 'application/ai-catalog+json; charset=utf-8', 'https://example.com/c.json')).toThrow(InvalidCatalogError);
  });
});
