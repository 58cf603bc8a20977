import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentStore } from '../../src/store/agent-store.js';
import { EXTENSION_WALK_BUDGET } from '../../src/store/extension-catalog.js';
import { cardV1 } from '../helpers/cards.js';
import { storeBackends as backends, writeOf } from '../helpers/store-backends.js';

const T1 = '2025-01-01T10:00:00.000Z';
const T2 = '2025-01-02T11:30:00.000Z';

/** A 1.0 card declaring these extensions (`!` after a URI: required). */
function declaring(...uris: string[]): Record<string, unknown> {
  const extensions = uris.map((uri) => (uri.endsWith('!') ? { uri: uri.slice(0, -1), required: true } : { uri }));
  return cardV1({ capabilities: { streaming: false, extensions } });
}

describe.each(backends.map((backend) => [backend.name, backend] as const))('%s extension catalog', (_name, { open }) => {
  let store: AgentStore;
  let close: () => Promise<void>;

  beforeEach(async () => {
    ({ store, close } = await open());
  });
  afterEach(async () => {
    await close();
  });

  const all = async () => (await store.listExtensions({ wanted: 100, trustLevels: [] })).entries;

  it('holds each extension a saved card declares, with who declared it first and when', async () => {
    await store.save(writeOf('a', declaring('urn:ext:one', 'urn:ext:two!'), T1));
    expect(await all()).toEqual([
      { uri: 'urn:ext:one', declaringAgents: 1, requiringAgents: 0, firstSeen: T1, lastSeen: T1, firstDeclaredBy: 'a', trustLevel: 'unverified' },
      { uri: 'urn:ext:two', declaringAgents: 1, requiringAgents: 1, firstSeen: T1, lastSeen: T1, firstDeclaredBy: 'a', trustLevel: 'unverified' },
    ]);
  });

  it('counts every declaring and requiring agent, keeps first seen and moves last seen', async () => {
    await store.save(writeOf('a', declaring('urn:ext:one'), T1));
    await store.save(writeOf('b', declaring('urn:ext:one!'), T2));
    const [entry] = await store.getExtensions(['urn:ext:one']);
    expect(entry).toMatchObject({ declaringAgents: 2, requiringAgents: 1, firstSeen: T1, lastSeen: T2, firstDeclaredBy: 'a' });
  });

  it('folds URIs as the index does', async () => {
    await store.save(writeOf('a', declaring('URN:Ext:Mixed'), T1));
    expect((await all()).map((e) => e.uri)).toEqual(['urn:ext:mixed']);
  });

  it('drops an extension once no card declares it, by update or by delete, with its trust level', async () => {
    await store.save(writeOf('a', declaring('urn:ext:one', 'urn:ext:two'), T1));
    await store.save(writeOf('b', declaring('urn:ext:two'), T1));
    await store.setExtensionTrust('urn:ext:one', 'official');
    await store.save(writeOf('a', declaring('urn:ext:two'), T2));
    expect((await all()).map((e) => [e.uri, e.declaringAgents])).toEqual([['urn:ext:two', 2]]);
    await store.delete('a');
    expect((await all()).map((e) => [e.uri, e.declaringAgents])).toEqual([['urn:ext:two', 1]]);
    await store.delete('b');
    expect(await all()).toEqual([]);
    await store.save(writeOf('c', declaring('urn:ext:one'), T2));
    expect((await store.getExtensions(['urn:ext:one']))[0]).toMatchObject({ trustLevel: 'unverified', firstSeen: T2, firstDeclaredBy: 'c' });
  });

  it('drops the extensions of an agent purged after its heartbeats stopped', async () => {
    await store.save(writeOf('a', declaring('urn:ext:gone'), T1, { ttlSeconds: 1 }));
    const now = new Date(Date.parse(T1) + 5_000);
    expect(await store.expireDue(now, 10, 0)).toEqual(['a']);
    expect((await all()).map((e) => e.uri)).toEqual(['urn:ext:gone']);
    expect(await store.purgeDue(now, 10)).toEqual(['a']);
    expect(await all()).toEqual([]);
  });

  it('pages in URI order from a cursor', async () => {
    await store.save(writeOf('a', declaring('urn:e:3', 'urn:e:1'), T1));
    await store.save(writeOf('b', declaring('urn:e:2', 'urn:e:4'), T1));
    const first = await store.listExtensions({ wanted: 3, trustLevels: [] });
    expect(first.entries.map((e) => e.uri)).toEqual(['urn:e:1', 'urn:e:2', 'urn:e:3']);
    expect(first.catalogSize).toBe(4);
    const second = await store.listExtensions({ after: 'urn:e:3', wanted: 3, trustLevels: [] });
    expect(second.entries.map((e) => e.uri)).toEqual(['urn:e:4']);
    expect(second.stoppedAt).toBeUndefined();
  });

  it('keeps only URIs holding a text and trust levels asked for', async () => {
    await store.save(writeOf('a', declaring('urn:geo:v1', 'urn:pay:v1', 'urn:geo:v2'), T1));
    await store.setExtensionTrust('urn:geo:v2', 'verified');
    const geo = await store.listExtensions({ wanted: 10, uriContains: 'geo', trustLevels: [] });
    expect(geo.entries.map((e) => e.uri)).toEqual(['urn:geo:v1', 'urn:geo:v2']);
    const verified = await store.listExtensions({ wanted: 10, trustLevels: ['verified', 'official'] });
    expect(verified.entries.map((e) => [e.uri, e.trustLevel])).toEqual([['urn:geo:v2', 'verified']]);
  });

  it('sets a trust level only on an extension in the catalog', async () => {
    await store.save(writeOf('a', declaring('urn:ext:one'), T1));
    expect(await store.setExtensionTrust('urn:ext:one', 'community')).toMatchObject({ uri: 'urn:ext:one', trustLevel: 'community' });
    expect(await store.setExtensionTrust('urn:ext:nobody', 'official')).toBeNull();
    expect(await store.getExtensions(['urn:ext:nobody', 'urn:ext:one'])).toHaveLength(1);
  });

  it('examines at most its walk budget of entries for one page, and says where it stopped', async () => {
    const perCard = 32;
    for (let card = 0; card * perCard < EXTENSION_WALK_BUDGET + 10; card++) {
      const uris = Array.from({ length: perCard }, (_, i) => `urn:many:${String(card * perCard + i).padStart(5, '0')}`);
      await store.save(writeOf(`agent-${card}`, declaring(...uris), T1));
    }
    const page = await store.listExtensions({ wanted: 10, uriContains: 'no-such-text', trustLevels: [] });
    expect(page.entries).toEqual([]);
    expect(page.work).toBe(EXTENSION_WALK_BUDGET);
    expect(page.stoppedAt).toBe(`urn:many:${String(EXTENSION_WALK_BUDGET - 1).padStart(5, '0')}`);
    const rest = await store.listExtensions({ after: page.stoppedAt as string, wanted: 10, uriContains: 'no-such-text', trustLevels: [] });
    expect(rest.stoppedAt).toBeUndefined();
    expect(rest.work).toBeLessThan(EXTENSION_WALK_BUDGET);
  });
});
