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
});
