import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CatalogSourceStore } from '../../src/store/catalog-sources.js';
import { MemoryCatalogSources } from '../../src/store/memory-catalog-sources.js';
import { RedisCatalogSources } from '../../src/store/redis-catalog-sources.js';
import { redisKeys } from '../../src/store/redis-keys.js';
import { connect, deleteKeys, uniquePrefix } from '../helpers/redis.js';

interface OpenSources {
  sources: CatalogSourceStore;
  close(): Promise<void>;
}

const backends: [string, () => OpenSources][] = [
  [
    'RedisCatalogSources',
    () => {
      const prefix = uniquePrefix();
      const connection = connect();
      return {
        sources: new RedisCatalogSources(connection, redisKeys(prefix)),
        async close() {
          await deleteKeys(connection, prefix);
          connection.disconnect();
        },
      };
    },
  ],
  ['MemoryCatalogSources', () => ({ sources: new MemoryCatalogSources(), close: async () => {} })],
];

const T0 = new Date('2025-01-01T00:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const URL_A = 'https://a.example/.well-known/ai-catalog.json';
const URL_B = 'https://b.example/.well-known/ard.json';

describe.each(backends)('%s contract', (_name, open) => {
  let sources: CatalogSourceStore;
  let close: () => Promise<void>;

  beforeEach(() => {
    ({ sources, close } = open());
  });
  afterEach(async () => {
    await close();
  });

  it('answers the catalogs due by a time, soonest first, up to a limit', async () => {
    const a = await sources.remember(URL_A, 'alice', at(10));
    const b = await sources.remember(URL_B, 'bob', at(5));
    expect(await sources.due(at(1), 10)).toEqual([]);
    expect(await sources.due(at(10), 10)).toEqual([b, a]);
    expect(await sources.due(at(10), 1)).toEqual([{ key: b.key, url: URL_B, owner: 'bob' }]);
  });

  it('keeps two owners of one catalog apart, and reschedules a remembered catalog only', async () => {
    const alice = await sources.remember(URL_A, 'alice', at(10));
    const bob = await sources.remember(URL_A, 'bob', at(10));
    expect(alice.key).not.toBe(bob.key);
    await sources.schedule(alice.key, at(60));
    await sources.schedule('never-remembered', at(1));
    expect(await sources.due(at(30), 10)).toEqual([bob]);
  });

  it('keeps entries exactly, replaces them by identifier, and forgets those dropped', async () => {
    const { key } = await sources.remember(URL_A, 'alice', at(10));
    await sources.putEntries(key, [
      { identifier: 'urn:air:a.example:x:One', agentId: 'a.example~x~one' },
      { identifier: 'urn:air:a.example:x:two', agentId: 'a.example~x~two' },
    ]);
    await sources.putEntries(key, [{ identifier: 'urn:air:a.example:x:two', agentId: 'a.example~x~two', missingSince: at(3).getTime() }]);
    const held = await sources.heldEntries(key);
    expect(held.sort((x, y) => x.identifier.localeCompare(y.identifier))).toEqual([
      { identifier: 'urn:air:a.example:x:One', agentId: 'a.example~x~one' },
      { identifier: 'urn:air:a.example:x:two', agentId: 'a.example~x~two', missingSince: at(3).getTime() },
    ]);
    await sources.dropEntries(key, ['urn:air:a.example:x:One']);
    expect((await sources.heldEntries(key)).map((entry) => entry.identifier)).toEqual(['urn:air:a.example:x:two']);
  });

  it('reads back thousands of entries, whatever the size of one command', async () => {
    const { key } = await sources.remember(URL_A, 'alice', at(10));
    const entries = Array.from({ length: 2_100 }, (_, i) => ({ identifier: `urn:air:a.example:x:n${i}`, agentId: `a.example~x~n${i}` }));
    await sources.putEntries(key, entries);
    const held = await sources.heldEntries(key);
    expect(held).toHaveLength(2_100);
    expect(new Set(held.map((entry) => entry.agentId))).toEqual(new Set(entries.map((entry) => entry.agentId)));
  });

  it('keeps the entries of a catalog remembered again', async () => {
    const { key } = await sources.remember(URL_A, 'alice', at(10));
    await sources.putEntries(key, [{ identifier: 'urn:air:a.example:x:one', agentId: 'a.example~x~one' }]);
    await sources.remember(URL_A, 'alice', at(20));
    expect(await sources.heldEntries(key)).toHaveLength(1);
  });

  it('lists catalog keys in key order, an owner\'s alone or every owner\'s, a page at a time', async () => {
    const mine = await Promise.all(['a', 'b', 'c'].map((n) => sources.remember(`https://${n}.example/catalog.json`, 'alice', at(10))));
    const theirs = await sources.remember(URL_B, 'bob', at(10));
    const alices = mine.map((catalog) => catalog.key).sort();
    expect(await sources.listKeys({ owner: 'alice', limit: 2 })).toEqual(alices.slice(0, 2));
    expect(await sources.listKeys({ owner: 'alice', after: alices[1], limit: 2 })).toEqual(alices.slice(2));
    expect(await sources.listKeys({ owner: 'bob', limit: 10 })).toEqual([theirs.key]);
    expect(await sources.listKeys({ owner: 'carol', limit: 10 })).toEqual([]);
    expect(await sources.listKeys({ limit: 10 })).toEqual([...alices, theirs.key].sort());
  });

  it('tells a catalog\'s state: last read, next read and entries held; none for an unknown key', async () => {
    const { key } = await sources.remember(URL_A, 'alice', at(10));
    expect(await sources.state(key)).toEqual({ key, url: URL_A, owner: 'alice', nextReadAt: at(10).getTime(), entries: 0 });
    const read = { at: at(1).getTime(), result: 'ok' as const, signatureStatus: 'unsigned' as const, missing: { count: 1, since: at(0).getTime() } };
    await sources.recordRead(key, read);
    await sources.putEntries(key, [
      { identifier: 'urn:air:a.example:x:one', agentId: 'a.example~x~one' },
      { identifier: 'urn:air:a.example:x:two', agentId: 'a.example~x~two', missingSince: at(0).getTime() },
    ]);
    expect(await sources.state(key)).toEqual({ key, url: URL_A, owner: 'alice', lastRead: read, nextReadAt: at(10).getTime(), entries: 2 });
    expect(await sources.state('unknown')).toBeUndefined();
  });

  it('records no read and puts no entries for a catalog it does not remember (a sync that ends after a stop)', async () => {
    await sources.recordRead('never-remembered', { at: 1, result: 'failed' });
    await sources.putEntries('never-remembered', [{ identifier: 'urn:air:a.example:x:one', agentId: 'a.example~x~one' }]);
    expect(await sources.heldEntries('never-remembered')).toEqual([]);
    expect(await sources.state('never-remembered')).toBeUndefined();
    expect(await sources.listKeys({ limit: 10 })).toEqual([]);
  });

  it('stops reading an unscheduled catalog, which a later schedule does not bring back', async () => {
    const { key } = await sources.remember(URL_A, 'alice', at(10));
    await sources.unschedule(key);
    await sources.schedule(key, at(20));
    expect(await sources.due(at(30), 10)).toEqual([]);
    expect((await sources.state(key))?.nextReadAt).toBeUndefined();
  });

  it('hands out some entries at a time, and forgets a catalog with every entry and index', async () => {
    const { key } = await sources.remember(URL_A, 'alice', at(10));
    const entries = Array.from({ length: 30 }, (_, i) => ({ identifier: `urn:air:a.example:x:a${i}`, agentId: `a.example~x~a${i}` }));
    await sources.putEntries(key, entries);
    const some = await sources.someEntries(key, 10);
    expect(new Set(some.map((entry) => entry.identifier)).size).toBe(10);
    expect(some.every((entry) => entries.some((held) => held.identifier === entry.identifier && held.agentId === entry.agentId))).toBe(true);
    expect(await sources.someEntries(key, 100)).toHaveLength(30);
    await sources.forget(key);
    expect(await sources.state(key)).toBeUndefined();
    expect(await sources.heldEntries(key)).toEqual([]);
    expect(await sources.listKeys({ limit: 10 })).toEqual([]);
    expect(await sources.listKeys({ owner: 'alice', limit: 10 })).toEqual([]);
    expect(await sources.due(at(30), 10)).toEqual([]);
  });
});
