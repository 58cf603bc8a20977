import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardV1 } from '../helpers/cards.js';
import { CommandWatch, commandName as name, type SeenCommand as Seen } from '../helpers/command-watch.js';
import { deleteKeys, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { sendJson, startRegistry, type RunningRegistry } from '../helpers/registry-server.js';

/**
 * The registry under test talks to a database of its own, so MONITOR output can be told apart
 * from the other test files' traffic by its database number. It runs in the `api` role with its
 * record cache off: no background sweep adds commands, and every read reaches Redis, so the
 * counts below are the full cost of each request.
 */
const DB = 13;
const FORBIDDEN = new Set(['keys', 'scan', 'sscan', 'hscan', 'zscan', 'flushdb', 'flushall']);

/** Commands the registry sent itself; MONITOR shows those its Lua scripts run too, with the source `lua`. */
const sent = (commands: Seen[] | undefined) => (commands ?? []).filter((c) => c.source !== 'lua');
const inScripts = (commands: Seen[] | undefined) => (commands ?? []).filter((c) => c.source === 'lua');

describe('request paths cost O(sets touched), never a scan of all keys', () => {
  const prefix = uniquePrefix();
  const url = new URL(redisUrl());
  url.pathname = `/${DB}`;
  let watch: CommandWatch;
  let running: RunningRegistry;
  let base: string;
  const commandsOf = (request: () => Promise<Response>) => watch.commandsOf(request);

  const register = async (card: Record<string, unknown>) => {
    const res = await sendJson(`${base}/agents`, 'POST', { agent_card: card });
    if (res.status !== 201 && res.status !== 200) throw new Error(`registration failed: ${res.status} ${await res.text()}`);
  };

  const genericCard = (i: number) =>
    cardV1({
      name: `Generic Agent ${String(i).padStart(4, '0')}`,
      description: 'Generic weather agent for load',
      skills: [{ id: 'common-skill', name: 'Common', description: 'Common weather skill', tags: ['common'] }],
    });

  const needleCard = cardV1({
    name: 'Needle Agent',
    description: 'The only agent that knows about zanzibar weather',
    skills: [{ id: 'needle-skill', name: 'Needle', description: 'Needle weather skill', tags: ['needle'] }],
  });

  /** The requests whose cost must not grow with the number of agents. */
  const measured = {
    'GET /agents/{id}': () => fetch(`${base}/agents/needle-agent`),
    'GET /agents/{id}/card': () => fetch(`${base}/agents/needle-agent/card`),
    'GET /agents?limit=10': () => fetch(`${base}/agents?limit=10`),
    'GET /agents?skill=needle-skill&q=zanzibar': () => fetch(`${base}/agents?skill=needle-skill&q=zanzibar`),
    'GET /agents?q=zanzibar': () => fetch(`${base}/agents?q=zanzibar`),
    'POST /agents/search {skills:[needle-skill]}': () => sendJson(`${base}/agents/search`, 'POST', { skills: ['needle-skill'] }),
  } as const;
  type Measured = keyof typeof measured;

  const costs: Record<'small' | 'large', Partial<Record<Measured | 'POST /agents' | 'DELETE /agents/{id}', Seen[]>>> = { small: {}, large: {} };

  async function measureAll(size: 'small' | 'large', probeName: string): Promise<void> {
    for (const [label, request] of Object.entries(measured) as [Measured, () => Promise<Response>][]) {
      const { res, commands } = await commandsOf(request);
      expect(res.status, label).toBe(200);
      costs[size][label] = commands;
    }
    const probe = cardV1({ name: probeName, skills: [{ id: 'probe-skill', name: 'Probe', description: 'Probe skill', tags: ['probe'] }] });
    const posted = await commandsOf(() => sendJson(`${base}/agents`, 'POST', { agent_card: probe }));
    expect(posted.res.status).toBe(201);
    costs[size]['POST /agents'] = posted.commands;
    const probeId = probeName.toLowerCase().replace(/ /g, '-');
    const deleted = await commandsOf(() => fetch(`${base}/agents/${probeId}`, { method: 'DELETE' }));
    expect(deleted.res.status).toBe(200);
    costs[size]['DELETE /agents/{id}'] = deleted.commands;
  }

  beforeAll(async () => {
    watch = await CommandWatch.start(url, DB, prefix);
    running = await startRegistry({ REDIS_URL: url.toString(), REDIS_PREFIX: prefix, ROLE: 'api', CACHE_MAX_ENTRIES: '0' });
    base = running.baseUrl;

    await register(needleCard);
    for (let i = 1; i <= 9; i++) await register(genericCard(i));
    // Warm up: load every script once, so no NOSCRIPT fallback is counted below.
    await register(cardV1({ name: 'Warm Up' }));
    expect((await fetch(`${base}/agents/warm-up`, { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(`${base}/agents?skill=warm-up`)).status).toBe(200);
    await measureAll('small', 'Probe Alpha');

    for (let i = 10; i < 200; i++) await register(genericCard(i));
    expect(((await (await fetch(`${base}/agents?limit=1`)).json()) as { total: number }).total).toBe(200);
    await measureAll('large', 'Probe Bravo');
  }, 120_000);

  afterAll(async () => {
    await running?.close();
    await deleteKeys(watch.connection, prefix);
    watch?.close();
  });

  const signature = (commands: Seen[] | undefined) => (commands ?? []).map(name).sort();

  it('the MONITOR feed sees the registry traffic (sanity check of the measurement)', () => {
    expect(costs.small['GET /agents/{id}']?.length).toBeGreaterThan(0);
    expect(costs.small['POST /agents']?.length).toBeGreaterThan(0);
  });

  it('no request sent KEYS, SCAN, SSCAN, HSCAN, ZSCAN, FLUSHDB or FLUSHALL', () => {
    const forbidden = watch.everything.filter((c) => FORBIDDEN.has(name(c)));
    expect(forbidden.map((c) => c.args.join(' ').slice(0, 200))).toEqual([]);
  });

  it.each(Object.keys(measured) as Measured[])('%s sends the same Redis commands with 10 and with 200 agents', (label) => {
    const small = signature(costs.small[label]);
    const large = signature(costs.large[label]);
    expect(small.length).toBeGreaterThan(0);
    expect(large).toEqual(small);
  });

  it('GET /agents/{id} costs at most 2 commands', () => {
    expect(costs.large['GET /agents/{id}']?.length).toBeLessThanOrEqual(2);
  });

  it('a page of 10 costs at most one command per agent shown plus 6: the listing, and the change log end its change_cursor names (one script of two commands)', () => {
    expect(costs.large['GET /agents?limit=10']?.length).toBeLessThanOrEqual(10 + 6);
  });

  it('a search sends one script, one read of the ids of the numbers it found and one read per match shown, and the script runs a bounded number of commands', () => {
    for (const label of ['GET /agents?skill=needle-skill&q=zanzibar', 'POST /agents/search {skills:[needle-skill]}'] as const) {
      const commands = sent(costs.large[label]);
      expect(commands.map(name), label).toEqual(['evalsha', 'hmget', 'hmget']);
      expect(commands[1]?.args[1], label).toContain(':ids:');
      expect(inScripts(costs.large[label]).length, label).toBeLessThanOrEqual(20);
    }
  });

  it('POST /agents sends the same Redis commands with 10 and with 200 agents', () => {
    expect(signature(costs.large['POST /agents'])).toEqual(signature(costs.small['POST /agents']));
  });

  it('DELETE /agents/{id} sends the same Redis commands with 10 and with 200 agents', () => {
    expect(signature(costs.large['DELETE /agents/{id}'])).toEqual(signature(costs.small['DELETE /agents/{id}']));
  });

  it('a search by a common skill reads only the index sets and the page, not every agent record', async () => {
    const { res, commands } = await commandsOf(() => fetch(`${base}/agents?skill=common-skill&limit=5`));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ count: 5, total: 199, total_exact: true });
    // The ids of the page's five numbers and the sixth that tells another page follows (all in one
    // number -> id hash), no more, then the five records.
    expect(sent(commands).map(name)).toEqual(['evalsha', ...Array(6).fill('hmget')]);
    const idReads = sent(commands).filter((c) => name(c) === 'hmget' && c.args[1]?.includes(':ids:'));
    expect(idReads).toHaveLength(1);
    expect(idReads.flatMap((c) => c.args.slice(2))).toHaveLength(6);
    expect(inScripts(commands).filter((c) => c.args[1]?.includes(':ids:'))).toEqual([]);
  });
});
