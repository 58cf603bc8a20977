import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogOf, inlineCardEntry, useCatalogHost } from '../helpers/catalog-host.js';
import { cardV1 } from '../helpers/cards.js';
import { connect, deleteKeys, monitorCaughtUp, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { sendJson, startRegistry, type RunningRegistry } from '../helpers/registry-server.js';

const SCANS = new Set(['keys', 'scan', 'sscan', 'hscan', 'zscan']);

/**
 * The Redis commands of the ingested catalogs' requests, seen over MONITOR (only those naming this
 * file's prefix, so other files' traffic is not counted): the same few with 3 catalogs as with 40, and no scan.
 */
describe('ingested catalogs cost the same, however many catalogs there are', () => {
  const publisher = useCatalogHost();
  const prefix = uniquePrefix();
  const redis = connect();
  let monitor: Redis;
  let running: RunningRegistry;
  let window: string[][] | undefined;

  const ingest = async (n: number) => {
    publisher.serve(`/c${n}.json`, catalogOf([inlineCardEntry(`urn:air:127.0.0.1:cost${n}:agent`, cardV1({ name: `Cost ${n}`, description: 'Costs little' }))]));
    const response = await sendJson(`${running.baseUrl}/agents/register-url`, 'POST', { url: `${publisher.origin}/c${n}.json` });
    expect(response.status).toBe(200);
  };
  /** The command names (sorted) one request caused. */
  const commandsOf = async (request: () => Promise<Response>) => {
    await monitorCaughtUp(redis, monitor);
    const commands: string[][] = [];
    window = commands;
    const response = await request();
    expect(response.status).toBeLessThan(300);
    await response.arrayBuffer();
    await monitorCaughtUp(redis, monitor);
    window = undefined;
    return commands.map((args) => (args[0] ?? '').toLowerCase().replace(/^eval$/, 'evalsha')).sort();
  };
  const firstKey = async () => ((await (await fetch(`${running.baseUrl}/catalogs?limit=1`)).json()) as { catalogs: { key: string }[] }).catalogs[0]!.key;
  const measure = async () => {
    const key = await firstKey();
    return {
      list: await commandsOf(() => fetch(`${running.baseUrl}/catalogs?limit=2`)),
      page: await commandsOf(() => fetch(`${running.baseUrl}/catalogs?limit=2&cursor=${key}`)),
      get: await commandsOf(() => fetch(`${running.baseUrl}/catalogs/${key}`)),
    };
  };

  let small: Awaited<ReturnType<typeof measure>>;
  let large: Awaited<ReturnType<typeof measure>>;
  let stop: string[];

  beforeAll(async () => {
    monitor = await new Redis(redisUrl()).monitor();
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args.some((arg) => arg.startsWith(prefix))) window?.push(args);
    });
    running = await startRegistry({ REDIS_URL: redisUrl(), REDIS_PREFIX: prefix, ROLE: 'api', OUTBOUND_ALLOW_HTTP: 'true', OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true' });
    for (let n = 0; n < 3; n++) await ingest(n);
    small = await measure();
    for (let n = 3; n < 40; n++) await ingest(n);
    large = await measure();
    const key = await firstKey();
    stop = await commandsOf(() => fetch(`${running.baseUrl}/catalogs/${key}?delete_agents=true`, { method: 'DELETE' }));
  }, 60_000);
  afterAll(async () => {
    await running?.close();
    monitor?.disconnect();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('a page of 2 and one catalog send the same commands with 3 and with 40 catalogs', () => {
    expect(large.list).toEqual(small.list);
    expect(large.page).toEqual(small.page);
    expect(large.get).toEqual(small.get);
    expect(small.list.length).toBeGreaterThan(0);
    expect(small.list.length).toBeLessThanOrEqual(12);
    expect(small.get.length).toBeLessThanOrEqual(5);
  });

  it('no request sends a scan, the stop that deletes agents included', () => {
    const all = [...small.list, ...small.page, ...small.get, ...large.list, ...large.page, ...large.get, ...stop];
    expect(all.filter((name) => SCANS.has(name))).toEqual([]);
    expect(stop).toContain('hrandfield');
  });
});
