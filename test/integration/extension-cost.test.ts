import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedCards } from '../../src/agents/stored-cards.js';
import { EXTENSION_WALK_BUDGET, type ExtensionQuery } from '../../src/store/extension-catalog.js';
import { RedisAgentStore } from '../../src/store/redis-agent-store.js';
import { redisKeys } from '../../src/store/redis-keys.js';
import { cardV1 } from '../helpers/cards.js';
import { deleteKeys, monitorCaughtUp, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { writeOf } from '../helpers/store-backends.js';

/**
 * A page of the extension catalog costs what it returns, not what the catalog holds: measured in
 * Redis commands (MONITOR, on a database of its own, the commands inside the scripts included) with
 * 640 and with 3,200 extensions in the catalog.
 */
const DB = 11;
const PER_CARD = 32;

/** Agent `a` declares 32 extensions of its own; every tenth of them is made `official`. */
const uriOf = (n: number) => `https://ext.example.com/catalog/${String(n).padStart(6, '0')}`;

describe('a page of the extension catalog costs the same whatever the catalog holds', () => {
  const prefix = uniquePrefix();
  const url = new URL(redisUrl());
  url.pathname = `/${DB}`;
  const redis = new Redis(url.toString(), { maxRetriesPerRequest: 1 });
  const store = new RedisAgentStore(redis, redisKeys(prefix), storedCards);
  let monitor: Redis;
  let window: string[] | undefined;

  async function seed(from: number, to: number): Promise<void> {
    for (let a = from; a < to; a++) {
      const extensions = Array.from({ length: PER_CARD }, (_, i) => ({ uri: uriOf(a * PER_CARD + i) }));
      await store.save(writeOf(`agent-${a}`, cardV1({ name: `Agent ${a}`, capabilities: { extensions } })));
      await store.setExtensionTrust(uriOf(a * PER_CARD), 'official');
    }
  }

  const settle = () => monitorCaughtUp(redis, monitor);

  /** The commands one page sends, inside its scripts included. */
  async function commandsOf(query: ExtensionQuery): Promise<{ commands: string[]; entries: number }> {
    await settle();
    window = [];
    const page = await store.listExtensions(query);
    await settle();
    const commands = window;
    window = undefined;
    return { commands, entries: page.entries.length };
  }

  const QUERIES: Record<string, ExtensionQuery> = {
    'a page of 10': { wanted: 11, trustLevels: [] },
    'a page of 10 of a text most URIs hold': { wanted: 11, uriContains: 'catalog', trustLevels: [] },
    'a page of 10 official ones, one URI in 32': { wanted: 11, trustLevels: ['official'] },
  };
  const costs: Record<'small' | 'large', Record<string, { commands: string[]; entries: number }>> = { small: {}, large: {} };

  beforeAll(async () => {
    monitor = await redis.monitor();
    monitor.on('monitor', (_time: string, args: string[], _source: string, database: string) => {
      if (Number(database) === DB && args[0] !== 'echo') window?.push((args[0] ?? '').toLowerCase());
    });
    await seed(0, 20);
    await store.listExtensions({ wanted: 1, trustLevels: [] });
    for (const [name, query] of Object.entries(QUERIES)) costs.small[name] = await commandsOf(query);
    await seed(20, 100);
    for (const [name, query] of Object.entries(QUERIES)) costs.large[name] = await commandsOf(query);
  }, 120_000);

  afterAll(async () => {
    monitor?.disconnect();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it.each(Object.keys(QUERIES))('%s: the same commands with 3,200 extensions as with 640', (name) => {
    const small = costs.small[name]!;
    const large = costs.large[name]!;
    expect(large.entries).toBe(small.entries);
    expect(large.entries).toBe(11);
    expect(large.commands).toEqual(small.commands);
  });

  it('a page of 1,000 is split into script runs of a bounded size', async () => {
    const { commands, entries } = await commandsOf({ wanted: 1000, trustLevels: [] });
    expect(entries).toBe(1000);
    const runs = commands.filter((c) => c === 'evalsha').length;
    expect(runs).toBe(20);
    // Each run reads at most 50 entries whole, five commands each, and two chunks of the catalog.
    expect(commands.length - runs).toBeLessThanOrEqual(runs * (50 * 5 + 3));
  });

  it('a filter that nothing passes stops at the walk budget', async () => {
    const { commands, entries } = await commandsOf({ wanted: 11, uriContains: 'no-such-text', trustLevels: ['community'] });
    expect(entries).toBe(0);
    expect(commands.filter((c) => c === 'hget').length).toBe(0);
    expect(commands.filter((c) => c === 'zrangebylex').length).toBeLessThanOrEqual(EXTENSION_WALK_BUDGET / 100 + 4);
  });
});
