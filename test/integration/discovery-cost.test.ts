import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FACET_CANDIDATE_RECORDS } from '../../src/ard/ard-service.js';
import { cardV1 } from '../helpers/cards.js';
import { CommandWatch, commandName as name, type SeenCommand as Seen } from '../helpers/command-watch.js';
import { deleteKeys, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { sendJson, startRegistry, type RunningRegistry } from '../helpers/registry-server.js';

/**
 * What the catalog pages and the ARD API cost Redis, by MONITOR on a database of this file's own,
 * with the record cache off (every read reaches Redis) and no worker: the cost of a request is the
 * commands it sends, and it must not grow with the number of agents.
 */
const DB = 10;
const PAGE_SIZE = 5;
const FORBIDDEN = new Set(['keys', 'scan', 'sscan', 'hscan', 'zscan', 'hgetall', 'flushdb', 'flushall']);


describe('the cost of catalog pages and ARD requests', () => {
  const prefix = uniquePrefix();
  const url = new URL(redisUrl());
  url.pathname = `/${DB}`;
  let watch: CommandWatch;
  let running: RunningRegistry;
  let base: string;

  async function commandsOf(request: () => Promise<Response>): Promise<Seen[]> {
    const { res, commands } = await watch.commandsOf(request);
    expect(res.status).toBe(200);
    return commands;
  }

  const register = async (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const card = cardV1({ name: `Cost Agent ${String(i).padStart(4, '0')}`, skills: [{ id: 'cost-skill', name: 'Cost', description: 'Cost skill', tags: ['cost', `t${i % 7}`] }] });
      const res = await sendJson(`${base}/agents`, 'POST', { agent_card: card });
      if (res.status !== 201) throw new Error(`registration failed: ${res.status}`);
    }
  };

  const measured = {
    root: () => fetch(`${base}/.well-known/ai-catalog.json`),
    leaf: () => fetch(`${base}/ai-catalog/pages/0/1`),
    search: () => sendJson(`${base}/ard/v1/search`, 'POST', { query: { text: 'cost', filter: { tags: 'cost' } }, pageSize: 5 }),
    list: () => fetch(`${base}/ard/v1/agents?pageSize=5`),
    lookup: () => fetch(`${base}/ard/v1/agents/${encodeURIComponent('urn:air:localhost:agents:cost-agent-0003')}`),
    explore: () =>
      sendJson(`${base}/ard/v1/explore`, 'POST', { query: { text: 'cost' }, resultType: { facets: [{ field: 'type' }, { field: 'tags', limit: 3 }] } }),
  } as const;
  type Label = keyof typeof measured;
  const costs: Record<'small' | 'large', Partial<Record<Label, Seen[]>>> = { small: {}, large: {} };

  beforeAll(async () => {
    watch = await CommandWatch.start(url, DB, prefix);
    running = await startRegistry({ REDIS_URL: url.toString(), REDIS_PREFIX: prefix, ROLE: 'api', CACHE_MAX_ENTRIES: '0', CATALOG_PAGE_SIZE: String(PAGE_SIZE) });
    base = running.baseUrl;
    await register(0, 12);
    for (const label of Object.keys(measured) as Label[]) costs.small[label] = await commandsOf(measured[label]);
    await register(12, 150);
    for (const label of Object.keys(measured) as Label[]) costs.large[label] = await commandsOf(measured[label]);
  }, 120_000);

  afterAll(async () => {
    await running?.close();
    await deleteKeys(watch.connection, prefix);
    watch?.close();
  });

  it('no request scans the catalogue or reads a whole set', () => {
    const all = [...Object.values(costs.small), ...Object.values(costs.large)].flat();
    expect(all.length).toBeGreaterThan(0);
    expect(all.filter((c) => FORBIDDEN.has(name(c))).map((c) => c.args.join(' ').slice(0, 120))).toEqual([]);
  });

  it('a leaf page costs the last number, one read of the number map and one read per agent it holds, whatever the catalogue', () => {
    for (const size of ['small', 'large'] as const) {
      expect((costs[size].leaf ?? []).map(name).sort(), size).toEqual(['get', 'get', 'hmget', ...Array(PAGE_SIZE).fill('hmget')].sort());
    }
  });

  it('the root costs one read of the last number while it is an index page', () => {
    expect(costs.large.root?.map(name)).toEqual(['get']);
  });

  it('explore sends one search for its candidates (a read per candidate record, at most FACET_CANDIDATE_RECORDS), then one bounded count per bucket', () => {
    const sentCommands = (costs.large.explore ?? []).filter((c) => c.source !== 'lua');
    const sent = sentCommands.map(name);
    // The candidates' search and its records, the type facet's count, and one count per tag bucket.
    expect(sent.filter((n) => n === 'evalsha')).toHaveLength(1 + 1 + 3);
    const idReads = sentCommands.filter((c) => name(c) === 'hmget' && c.args[1]?.includes(':ids:'));
    expect(sent.filter((n) => n === 'hmget').length - idReads.length).toBeLessThanOrEqual(FACET_CANDIDATE_RECORDS);
    // The ids of the numbers the walks found, with the record cache (and so the known ids) off: the
    // candidates and the one more that says more follow, and each count's single hit.
    expect(idReads.flatMap((c) => c.args.slice(2)).length).toBeLessThanOrEqual(FACET_CANDIDATE_RECORDS + 1 + 4);
    expect(sent.filter((n) => n !== 'evalsha' && n !== 'hmget')).toEqual([]);
  });

  it.each(['leaf', 'search', 'list', 'lookup'] as const)('%s sends the same commands with 12 and with 150 agents', (label) => {
    const signature = (commands: Seen[] | undefined) => (commands ?? []).filter((c) => c.source !== 'lua').map(name).sort();
    expect(signature(costs.large[label])).toEqual(signature(costs.small[label]));
  });
});
