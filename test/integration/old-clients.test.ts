import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCard } from '../../src/card/card-validation.js';
import { cardV03, cardV1 } from '../helpers/cards.js';
import { connect, deleteKeys, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { startRegistry, type RunningRegistry } from '../helpers/registry-server.js';
import { reasonOf, rpc } from '../helpers/jsonrpc.js';
import { sendJson } from '../helpers/registry-server.js';
import { useRegistry } from '../helpers/use-registry.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Body = Record<string, any>;

/** What clients of the earlier Python registry send and parse keeps working. */
describe('clients of the earlier registry', () => {
  const ctx = useRegistry();

  async function registerMany(prefix: string, count: number) {
    for (let i = 0; i < count; i++) {
      await sendJson(`${ctx.base}/agents`, 'POST', { agent_card: cardV1({ name: `${prefix} ${i}`, description: `Oldclient ${prefix} agent` }) });
    }
  }

  describe('search parameters', () => {
    it('search_agents takes max_results as the page size', async () => {
      await registerMany('Maxresults', 3);
      const answer = await rpc(ctx.base, 'search_agents', { query: 'maxresults', max_results: 2 });
      expect(answer.error).toBeUndefined();
      expect(answer.result.count).toBe(2);
      expect(answer.result.total).toBe(3);
      expect(answer.result.next_cursor).toEqual(expect.any(String));
    });

    it('POST /agents/search takes max_results as the page size', async () => {
      await registerMany('Restmax', 3);
      const res = await sendJson(`${ctx.base}/agents/search`, 'POST', { query: 'restmax', max_results: 1 });
      expect(res.status).toBe(200);
      expect(((await res.json()) as Body).count).toBe(1);
    });

    it('max_results past the largest page is refused naming the bound', async () => {
      const answer = await rpc(ctx.base, 'search_agents', { query: 'x', max_results: 5000 });
      expect(answer.error?.code).toBe(-32602);
      expect(JSON.stringify(answer.error?.data)).toContain('at most 200');
    });

    it('search_mode "keyword" searches as without it', async () => {
      await registerMany('Keywordmode', 2);
      const answer = await rpc(ctx.base, 'search_agents', { query: 'keywordmode', search_mode: 'keyword' });
      expect(answer.result.count).toBe(2);
    });

    it.each(['semantic', 'vector', 'hybrid'])('search_mode "%s" gets an error naming the mode that is served', async (mode) => {
      const answer = await rpc(ctx.base, 'search_agents', { query: 'weather', search_mode: mode });
      expect(answer.error?.code).toBe(-32602);
      expect(reasonOf(answer)).toBe('unsupported_search_mode');
      expect(answer.error?.message).toContain(`"${mode}" is not supported`);
      expect(answer.error?.message).toContain('search_mode "keyword"');
    });

    it('similarity_threshold is refused as meaningless for keyword search, not as an unknown parameter', async () => {
      const answer = await rpc(ctx.base, 'search_agents', { query: 'weather', search_mode: 'keyword', similarity_threshold: 0.7 });
      expect(answer.error?.code).toBe(-32602);
      expect(reasonOf(answer)).toBe('unsupported_search_mode');
      expect(answer.error?.message).toContain('similarity_threshold applies only to semantic search');
    });

    it('POST /agents/search with a semantic mode answers 400 with its own code', async () => {
      const res = await sendJson(`${ctx.base}/agents/search`, 'POST', { query: 'weather', search_mode: 'semantic' });
      expect(res.status).toBe(400);
      expect(((await res.json()) as Body).error.code).toBe('unsupported_search_mode');
    });
  });

  describe('answer shapes', () => {
    it('list_methods answers a plain array of method names, as the earlier registry did', async () => {
      const answer = await rpc(ctx.base, 'list_methods');
      expect(Array.isArray(answer.result)).toBe(true);
      expect(answer.result).toEqual(expect.arrayContaining(['list_methods', 'system.listMethods', 'search_agents']));
    });

    it('system.listMethods answers the same array', async () => {
      expect((await rpc(ctx.base, 'system.listMethods')).result).toEqual((await rpc(ctx.base, 'list_methods')).result);
    });

    it('get_agent_card answers the 1.0 card with the 0.3 fields old clients read beside it', async () => {
      const card = (await rpc(ctx.base, 'get_agent_card')).result.agent_card;
      const { url, protocolVersion, preferredTransport, protocol_version, preferred_transport, ...current } = card;
      expect(validateCard(current).format).toBe('a2a-1.0');
      // Read by the registry's own rules, a card with a top-level 0.x protocolVersion is a 0.3 card.
      expect(validateCard(card).format).toBe('a2a-0.3');
      expect([url, protocolVersion, preferredTransport, protocol_version, preferred_transport]).toHaveLength(5);
      expect(card.url).toBe(`${card.supportedInterfaces[0].url}`);
      expect(card.protocol_version).toBe('0.3.0');
      expect(card.protocolVersion).toBe('0.3.0');
      expect(card.preferred_transport).toBe('JSONRPC');
    });

    it.each(['update_agent_vectors', 'get_agent_vectors', 'get_vector_stats'])(
      '%s answers "not supported" (A2A -32004) naming the alternative',
      async (method) => {
        const answer = await rpc(ctx.base, method, { agent_id: 'weather-agent' });
        expect(answer.error?.code).toBe(-32004);
        expect(reasonOf(answer)).toBe('unsupported_operation');
        expect(answer.error?.message).toContain('not supported');
        expect(answer.error?.message).toContain('search_agents');
      },
    );
  });

  describe('search words', () => {
    const names = async (query: string) => {
      const res = await fetch(`${ctx.base}/agents?q=${encodeURIComponent(query)}&limit=50`);
      expect(res.status).toBe(200);
      return ((await res.json()) as Body).agents.map((a: Body) => a.name);
    };

    beforeAll(async () => {
      await sendJson(`${ctx.base}/agents`, 'POST', { agent_card: cardV1({ name: 'Typeahead Helper', description: 'Translates menus on request' }) });
      await sendJson(`${ctx.base}/agents`, 'POST', { agent_card: cardV03({ name: 'Typeahead Translator' }) });
    });

    it('a query word finds the cards with a word it begins ("transl" finds "translate"), names first', async () => {
      expect(await names('typeahead transl')).toEqual(['Typeahead Translator', 'Typeahead Helper']);
      const answer = await rpc(ctx.base, 'search_agents', { query: 'typeahead transl' });
      expect(answer.result.agents.map((a: Body) => a.name)).toEqual(['Typeahead Translator', 'Typeahead Helper']);
    });

    it('every query word must begin a word of the card', async () => {
      expect(await names('typea menu')).toEqual(['Typeahead Helper']);
      expect(await names('typea transl zzzz')).toEqual([]);
    });

    it('whole words still match, and two-letter words match only whole', async () => {
      expect(await names('typeahead menus')).toEqual(['Typeahead Helper']);
      expect(await names('typeahead tr')).toEqual([]);
    });
  });
});

describe('search words on data of layout 2, written before word prefixes were indexed', () => {
  const prefix = uniquePrefix();
  const redis = connect();
  let running: RunningRegistry;

  beforeAll(async () => {
    await redis.set(`${prefix}layout`, '2');
    running = await startRegistry({ REDIS_URL: redisUrl(), REDIS_PREFIX: prefix });
    await sendJson(`${running.baseUrl}/agents`, 'POST', { agent_card: cardV03({ name: 'Layout Two Translator' }) });
  });
  afterAll(async () => {
    await running.close();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('matches whole words only, so that older agents, which lack prefix terms, are never missed', async () => {
    const search = async (q: string) => ((await (await fetch(`${running.baseUrl}/agents?q=${q}`)).json()) as Body).count;
    expect(await search('translator')).toBe(1);
    expect(await search('transl')).toBe(0);
  });
});
