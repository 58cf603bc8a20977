import { beforeAll, describe, expect, it } from 'vitest';
import { validateCard } from '../../src/card/card-validation.js';
import { cardV03, cardV1, legacyCard } from '../helpers/cards.js';
import { sendJson, startRegistry } from '../helpers/registry-server.js';
import { redisUrl, uniquePrefix } from '../helpers/redis.js';
import { useRegistry } from '../helpers/use-registry.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Body = Record<string, any>;

interface Violation {
  path: string;
  message: string;
}

interface ErrorBody {
  error: { code: string; message: string; violations?: Violation[] };
  detail: string;
}

interface ResultSummary {
  agent_id: string;
  revision: number;
  name: string;
  format: string;
}

interface PageBody {
  agents: Body[];
  results: ResultSummary[];
  count: number;
  total: number;
  next_cursor: string | null;
  query: string | null;
}


async function register(base: string, card: unknown): Promise<Body> {
  const res = await sendJson(`${base}/agents`, 'POST', { agent_card: card });
  const body = (await res.json()) as Body;
  if (res.status !== 201 && res.status !== 200) throw new Error(`registration failed: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

async function list(base: string, query: string): Promise<PageBody> {
  const res = await fetch(`${base}/agents?${query}`);
  const body = (await res.json()) as PageBody;
  if (res.status !== 200) throw new Error(`listing failed: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

const idsOf = (page: PageBody) => page.results.map((r) => r.agent_id);

async function cardText(base: string, id: string): Promise<string> {
  const res = await fetch(`${base}/agents/${id}/card`);
  expect(res.status).toBe(200);
  return res.text();
}

/** A valid A2A 1.0 card named `name` with one skill; `extra` replaces any top-level fields. */
function v1Named(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return cardV1({ name, ...extra });
}

describe('REST API: registering and reading agents', () => {
  const ctx = useRegistry();

  it('POST /agents creates an agent with 201, a derived slug id, a revision, ETag and Location', async () => {
    const res = await sendJson(`${ctx.base}/agents`, 'POST', { agent_card: cardV1() });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Body;
    expect(body.success).toBe(true);
    expect(body.created).toBe(true);
    expect(body.agent_id).toBe('weather-agent');
    expect(Number.isInteger(body.revision)).toBe(true);
    expect(body.revision).toBeGreaterThan(0);
    expect(res.headers.get('etag')).toBe(`"${body.revision}"`);
    expect(res.headers.get('location')).toBe('/agents/weather-agent');
  });

  it('re-POSTing the same card updates it with 200, created:false and a higher revision', async () => {
    const card = v1Named('Repost Agent');
    const first = await sendJson(`${ctx.base}/agents`, 'POST', { agent_card: card });
    expect(first.status).toBe(201);
    const firstBody = (await first.json()) as Body;
    const second = await sendJson(`${ctx.base}/agents`, 'POST', { agent_card: card });
    expect(second.status).toBe(200);
    const secondBody = (await second.json()) as Body;
    expect(secondBody).toMatchObject({ success: true, created: false, agent_id: 'repost-agent' });
    expect(secondBody.revision).toBeGreaterThan(firstBody.revision);
    expect(second.headers.get('etag')).toBe(`"${secondBody.revision}"`);
  });

  it('an update keeps created_at and moves updated_at', async () => {
    const card = v1Named('Timestamps Agent');
    await register(ctx.base, card);
    const before = (await (await fetch(`${ctx.base}/agents/timestamps-agent`)).json()) as Body;
    await new Promise((resolve) => setTimeout(resolve, 5));
    await register(ctx.base, { ...card, version: '2.0.0' });
    const after = (await (await fetch(`${ctx.base}/agents/timestamps-agent`)).json()) as Body;
    expect(after.created_at).toBe(before.created_at);
    expect(after.updated_at > before.updated_at).toBe(true);
  });

  const shapes = [
    { format: 'a2a-1.0', card: cardV1({ name: 'Shape V1', 'x-vendor': { nested: [1, 'two', null], flag: true } }), id: 'shape-v1' },
    { format: 'a2a-0.3', card: cardV03({ name: 'Shape V03', 'x-vendor': { nested: [1, 'two', null], flag: true } }), id: 'shape-v03' },
    { format: 'legacy', card: legacyCard({ name: 'Shape Legacy', 'x-vendor': { nested: [1, 'two', null], flag: true } }), id: 'shape-legacy' },
  ];

  it.each(shapes)('a $format card registers and GET /agents/{id} returns it as sent with its registry data', async ({ format, card, id }) => {
    const saved = await register(ctx.base, card);
    expect(saved.agent_id).toBe(id);
    const res = await fetch(`${ctx.base}/agents/${id}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Body;
    expect(body.agent_card).toStrictEqual(card);
    expect(body.agent_id).toBe(id);
    expect(body.revision).toBe(saved.revision);
    expect(body.format).toBe(format);
    expect(Number.isNaN(Date.parse(body.created_at))).toBe(false);
    expect(Number.isNaN(Date.parse(body.updated_at))).toBe(false);
    expect(res.headers.get('etag')).toBe(`"${saved.revision}"`);
  });

  it('GET /agents/{id}/card returns the exact bytes of the card as sent, whitespace and key order included', async () => {
    const cardJson =
      '{ "version" :"3.1.4",\n\t"skills":[ {"tags":["zeta" , "alpha"],"id":"bytes","name":"Bytes","description":"Keeps bytes"} ],' +
      '"name":   "Bytes Agent", "description":"Exact \\u00e9 bytes \\/ kept",\r\n "defaultOutputModes":["text/plain"],' +
      '"capabilities":{ },"defaultInputModes":["text/plain"],' +
      '"supportedInterfaces":[{"protocolVersion":"1.0","protocolBinding":"JSONRPC","url":"https://bytes.example.com/a2a"}] ,"z-last":1.50 }';
    const created = await sendJson(`${ctx.base}/agents`, 'POST', `{"agent_card" :  ${cardJson}   }`);
    expect(created.status).toBe(201);
    const res = await fetch(`${ctx.base}/agents/bytes-agent/card`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.text()).toBe(cardJson);
  });

  it('keeps the exact card bytes when the body starts with a UTF-8 byte order mark', async () => {
    const cardJson = JSON.stringify(v1Named('Bom Agent'), null, 3);
    const created = await sendJson(`${ctx.base}/agents`, 'POST', `\uFEFF{"agent_card": ${cardJson}}`);
    expect(created.status).toBe(201);
    expect(await cardText(ctx.base, 'bom-agent')).toBe(cardJson);
  });

  it('GET /agents/{id}/card sends the revision as ETag and a Cache-Control with max-age', async () => {
    const saved = await register(ctx.base, v1Named('Cache Agent'));
    const res = await fetch(`${ctx.base}/agents/cache-agent/card`);
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe(`"${saved.revision}"`);
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
  });

  it('GET /agents/{id}/card answers 304 with no body when If-None-Match names the current ETag', async () => {
    await register(ctx.base, v1Named('Conditional Agent'));
    const first = await fetch(`${ctx.base}/agents/conditional-agent/card`);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"\d+"$/);
    const again = await fetch(`${ctx.base}/agents/conditional-agent/card`, { headers: { 'if-none-match': etag as string } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('GET /agents/{id}/card answers 200 again once the card changed since the ETag', async () => {
    const card = v1Named('Changing Agent');
    await register(ctx.base, card);
    const etag = (await fetch(`${ctx.base}/agents/changing-agent/card`)).headers.get('etag') as string;
    await register(ctx.base, { ...card, version: '9.9.9' });
    const res = await fetch(`${ctx.base}/agents/changing-agent/card`, { headers: { 'if-none-match': etag } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Body).version).toBe('9.9.9');
  });

  it('PUT /agents/{id} with a client id creates with 201, then updates with 200', async () => {
    const card = v1Named('Whatever Name');
    const created = await sendJson(`${ctx.base}/agents/client.chosen-id_1`, 'PUT', { agent_card: card });
    expect(created.status).toBe(201);
    const createdBody = (await created.json()) as Body;
    expect(createdBody).toMatchObject({ success: true, created: true, agent_id: 'client.chosen-id_1' });
    expect(created.headers.get('location')).toBe('/agents/client.chosen-id_1');

    const updatedCard = { ...card, description: 'Second version' };
    const updated = await sendJson(`${ctx.base}/agents/client.chosen-id_1`, 'PUT', { agent_card: updatedCard });
    expect(updated.status).toBe(200);
    const updatedBody = (await updated.json()) as Body;
    expect(updatedBody.created).toBe(false);
    expect(updatedBody.revision).toBeGreaterThan(createdBody.revision);
    expect(JSON.parse(await cardText(ctx.base, 'client.chosen-id_1'))).toStrictEqual(updatedCard);
  });

  it('PUT with If-Match naming the current revision updates', async () => {
    const saved = await register(ctx.base, v1Named('Matching Agent'));
    const res = await sendJson(`${ctx.base}/agents/matching-agent`, 'PUT', { agent_card: v1Named('Matching Agent', { version: '2.0.0' }) }, {
      'if-match': `"${saved.revision}"`,
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(await cardText(ctx.base, 'matching-agent')).version).toBe('2.0.0');
  });

  it('PUT with a stale If-Match answers 412 and leaves the stored card unchanged', async () => {
    const first = await register(ctx.base, v1Named('Stale Agent'));
    await register(ctx.base, v1Named('Stale Agent', { version: '2.0.0' }));
    const before = await cardText(ctx.base, 'stale-agent');
    const res = await sendJson(`${ctx.base}/agents/stale-agent`, 'PUT', { agent_card: v1Named('Stale Agent', { version: '3.0.0' }) }, {
      'if-match': `"${first.revision}"`,
    });
    expect(res.status).toBe(412);
    expect(((await res.json()) as ErrorBody).error.code).toBe('precondition_failed');
    expect(await cardText(ctx.base, 'stale-agent')).toBe(before);
  });

  it('PUT with If-None-Match: * on an existing id answers 409 and leaves the stored card unchanged', async () => {
    await register(ctx.base, v1Named('Existing Agent'));
    const before = await cardText(ctx.base, 'existing-agent');
    const res = await sendJson(`${ctx.base}/agents/existing-agent`, 'PUT', { agent_card: v1Named('Existing Agent', { version: '5.0.0' }) }, {
      'if-none-match': '*',
    });
    expect(res.status).toBe(409);
    expect(((await res.json()) as ErrorBody).error.code).toBe('conflict');
    expect(await cardText(ctx.base, 'existing-agent')).toBe(before);
  });

  it('PUT with If-None-Match: * on a new id creates it', async () => {
    const res = await sendJson(`${ctx.base}/agents/brand-new-id`, 'PUT', { agent_card: v1Named('Brand New') }, { 'if-none-match': '*' });
    expect(res.status).toBe(201);
  });

  it('a card of another name that derives the same id ("Foo Bar", "foo_bar") gets 409 naming the id, unless it names the revision to replace', async () => {
    const first = await register(ctx.base, v1Named('Look Alike'));
    expect(first.agent_id).toBe('look-alike');
    const before = await cardText(ctx.base, 'look-alike');
    for (const name of ['look_alike', 'LOOK-ALIKE!', 'Lôok Alike']) {
      const res = await sendJson(`${ctx.base}/agents`, 'POST', { agent_card: v1Named(name) });
      expect(res.status, name).toBe(409);
      const body = (await res.json()) as ErrorBody;
      expect(body.error.code).toBe('agent_id_taken');
      expect(body.error.message).toContain("'look-alike'");
    }
    expect(await cardText(ctx.base, 'look-alike')).toBe(before);
    // The same name again is an update, as it always was; another name with If-Match replaces.
    expect((await sendJson(`${ctx.base}/agents`, 'POST', { agent_card: v1Named('Look Alike', { version: '2.0.0' }) })).status).toBe(200);
    const replaced = await sendJson(`${ctx.base}/agents`, 'POST', { agent_card: v1Named('look_alike') }, { 'if-match': '*' });
    expect(replaced.status).toBe(200);
    expect(JSON.parse(await cardText(ctx.base, 'look-alike')).name).toBe('look_alike');
  });

  it('an id that differs from a stored one only in case gets 409 naming the stored id', async () => {
    expect((await sendJson(`${ctx.base}/agents/case-agent`, 'PUT', { agent_card: v1Named('Case Agent') })).status).toBe(201);
    const res = await sendJson(`${ctx.base}/agents/Case-Agent`, 'PUT', { agent_card: v1Named('Case Agent') });
    expect(res.status).toBe(409);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe('agent_id_taken');
    expect(body.error.message).toContain("'case-agent'");
    expect((await fetch(`${ctx.base}/agents/Case-Agent`)).status).toBe(404);
  });

  it('PUT with If-Match: * on a missing id answers 412 and creates nothing', async () => {
    const res = await sendJson(`${ctx.base}/agents/never-registered`, 'PUT', { agent_card: v1Named('Never') }, { 'if-match': '*' });
    expect(res.status).toBe(412);
    expect(((await res.json()) as ErrorBody).error.code).toBe('precondition_failed');
    expect((await fetch(`${ctx.base}/agents/never-registered`)).status).toBe(404);
  });

  it.each([
    ['with spaces', 'has%20spaces'],
    ['reserved word search', 'search'],
    ['300 characters long', 'a'.repeat(300)],
    ['starting with a dash', '-dash'],
    ['with a slash-like character', 'a%2Fb'],
  ])('PUT with an invalid client id (%s) answers 400 and stores nothing', async (_label, encodedId) => {
    const revisionBefore = await ctx.redis.get(`${ctx.prefix}revision`);
    const countBefore = await ctx.redis.zcard(`${ctx.prefix}agents`);
    const res = await sendJson(`${ctx.base}/agents/${encodedId}`, 'PUT', { agent_card: v1Named('Invalid Id Agent') });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.violations?.length).toBeGreaterThan(0);
    expect(await ctx.redis.get(`${ctx.prefix}revision`)).toBe(revisionBefore);
    expect(await ctx.redis.zcard(`${ctx.prefix}agents`)).toBe(countBefore);
  });

  it('DELETE removes an agent: 200, then GET is 404 agent_not_found, and a second DELETE is 404', async () => {
    const saved = await register(ctx.base, v1Named('Doomed Agent'));
    const deleted = await fetch(`${ctx.base}/agents/doomed-agent`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toMatchObject({ success: true, agent_id: 'doomed-agent', revision: saved.revision });

    const gone = await fetch(`${ctx.base}/agents/doomed-agent`);
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as ErrorBody).error.code).toBe('agent_not_found');
    expect((await fetch(`${ctx.base}/agents/doomed-agent/card`)).status).toBe(404);

    const again = await fetch(`${ctx.base}/agents/doomed-agent`, { method: 'DELETE' });
    expect(again.status).toBe(404);
    expect(((await again.json()) as ErrorBody).error.code).toBe('agent_not_found');
  });

  it('DELETE removes the agent from the listing and from its index sets', async () => {
    await register(ctx.base, v1Named('Indexed Doomed', { skills: [{ id: 'doomed-skill', name: 'Doomed', description: 'Gone soon', tags: ['doomedtag'] }] }));
    expect(idsOf(await list(ctx.base, 'skill=doomed-skill'))).toEqual(['indexed-doomed']);
    expect((await fetch(`${ctx.base}/agents/indexed-doomed`, { method: 'DELETE' })).status).toBe(200);
    expect(idsOf(await list(ctx.base, 'skill=doomed-skill'))).toEqual([]);
    expect(idsOf(await list(ctx.base, 'tag=doomedtag'))).toEqual([]);
    expect(await ctx.redis.zscore(`${ctx.prefix}agents`, 'indexed-doomed')).toBeNull();
    expect(await ctx.redis.exists(`${ctx.prefix}idx:skill:doomed-skill`)).toBe(0);
  });

  it('DELETE with a stale If-Match answers 412 and keeps the agent', async () => {
    const first = await register(ctx.base, v1Named('Kept Agent'));
    await register(ctx.base, v1Named('Kept Agent', { version: '2.0.0' }));
    const res = await fetch(`${ctx.base}/agents/kept-agent`, { method: 'DELETE', headers: { 'if-match': `"${first.revision}"` } });
    expect(res.status).toBe(412);
    expect((await fetch(`${ctx.base}/agents/kept-agent`)).status).toBe(200);
  });

  it('after an update that changes a skill, searching by the old skill no longer finds the agent', async () => {
    const skill = (id: string) => [{ id, name: `Skill ${id}`, description: `Does ${id}`, tags: [`${id}-tag`] }];
    await register(ctx.base, v1Named('Shifting Agent', { skills: skill('oldskill') }));
    expect(idsOf(await list(ctx.base, 'skill=oldskill'))).toEqual(['shifting-agent']);

    await register(ctx.base, v1Named('Shifting Agent', { skills: skill('newskill') }));
    expect(idsOf(await list(ctx.base, 'skill=oldskill'))).toEqual([]);
    expect(idsOf(await list(ctx.base, 'tag=oldskill-tag'))).toEqual([]);
    expect(idsOf(await list(ctx.base, 'q=oldskill'))).toEqual([]);
    expect(idsOf(await list(ctx.base, 'skill=newskill'))).toEqual(['shifting-agent']);
  });

  it('GET / lists the endpoints', async () => {
    const res = await fetch(`${ctx.base}/`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Body;
    expect(body.service).toBe('A2A Registry');
    expect(body.store).toBe('redis');
    expect(body.protocols.primary.endpoint).toBe('/jsonrpc');
    expect(body.protocols.secondary.endpoints).toMatchObject({
      register: 'POST /agents',
      put: 'PUT /agents/{id}',
      get: 'GET /agents/{id}',
      card: 'GET /agents/{id}/card',
      search: 'POST /agents/search',
      unregister: 'DELETE /agents/{id}',
      set_status: 'PATCH /agents/{id}',
    });
    expect(body.protocols.secondary.endpoints.list).toMatch(/^GET \/agents\?skill=&tag=.*&q=&limit=&cursor=&search_mode=$/);
    // Every route the REST door mounts is listed, as it is mounted.
    expect(body.protocols.secondary.endpoints).toMatchObject({
      register_url: 'POST /agents/register-url',
      heartbeat: 'POST /agents/{id}/heartbeat',
      previous: 'GET /agents/{id}/previous',
      search_get: 'GET /agents/search',
      changes: 'GET /changes',
      change_stream: 'GET /changes/stream',
      domain_challenge: 'POST /domains/{domain}/challenge',
      domain_verify: 'POST /domains/{domain}/verify',
      domain: 'GET /domains/{domain}',
      domain_remove: 'DELETE /domains/{domain}',
      catalogs: 'GET /catalogs',
      catalog: 'GET /catalogs/{key}',
      catalog_stop: 'DELETE /catalogs/{key}',
    });
    // And those of the extension catalog's REST door, and of discovery (the AI Catalogs and the ARD API).
    expect(body.protocols.secondary.endpoints).toMatchObject({
      ai_catalog: 'GET /.well-known/ai-catalog.json',
      ard_manifest: 'GET /.well-known/ard.json',
      ai_catalog_page: 'GET /ai-catalog/pages/{level}/{index}',
      jwks: 'GET /.well-known/jwks.json',
      ard_search: 'POST /ard/v1/search',
      ard_explore: 'POST /ard/v1/explore',
      ard_list: 'GET /ard/v1/agents',
      ard_agent: 'GET /ard/v1/agents/{identifier}',
    });
    expect(Object.keys(body.protocols.secondary.endpoints)).toHaveLength(34);
    expect(body.health_check).toBe('/health');
    expect(body.agent_card).toBe('/.well-known/agent-card.json');
  });

  it('GET / of a worker lists no API, which it does not serve', async () => {
    const worker = await startRegistry({ REDIS_URL: redisUrl(), REDIS_PREFIX: uniquePrefix(), ROLE: 'worker' });
    try {
      const body = (await (await fetch(`${worker.baseUrl}/`)).json()) as Body;
      expect(body.service).toBe('A2A Registry');
      expect(body.protocols).toBeUndefined();
      expect((await fetch(`${worker.baseUrl}/agents`)).status).toBe(404);
    } finally {
      await worker.close();
    }
  });

  it('GET /health answers healthy', async () => {
    const res = await fetch(`${ctx.base}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'healthy' });
  });

  it('GET /.well-known/agent-card.json is a valid A2A 1.0 card', async () => {
    const res = await fetch(`${ctx.base}/.well-known/agent-card.json`);
    expect(res.status).toBe(200);
    const card = (await res.json()) as Body;
    const normalised = validateCard(card);
    expect(normalised.format).toBe('a2a-1.0');
    expect(normalised.interfaces.some((i) => i.binding === 'JSONRPC' && i.url.endsWith('/jsonrpc'))).toBe(true);
    expect(normalised.skills.map((s) => s.id)).toEqual(['find_agents']);
  });
});

describe('REST API: paging through GET /agents', () => {
  const ctx = useRegistry();
  const ids = Array.from({ length: 25 }, (_, i) => `page-agent-${String(i + 1).padStart(2, '0')}`);

  beforeAll(async () => {
    // Registered out of id order, so the listing order cannot be the insertion order.
    const shuffled = [...ids].sort((a, b) => (a.split('').reverse().join('') < b.split('').reverse().join('') ? -1 : 1));
    for (const id of shuffled) await register(ctx.base, v1Named(id.replace(/-/g, ' ')));
  });

  it('following next_cursor with limit=10 visits every agent exactly once, in id order, with right counts', async () => {
    const seen: string[] = [];
    const counts: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: PageBody = await list(ctx.base, `limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.total).toBe(25);
      expect(page.count).toBe(page.results.length);
      expect(page.agents.length).toBe(page.results.length);
      expect(page.agents.map((a) => a.name)).toEqual(page.results.map((r) => r.name));
      counts.push(page.count);
      seen.push(...idsOf(page));
      cursor = page.next_cursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(counts).toEqual([10, 10, 5]);
    expect(seen).toEqual(ids);
  });

  it('a page served again shows a change to one of its agents at once, on the replica that made it', async () => {
    const before = await list(ctx.base, 'limit=5');
    expect(await list(ctx.base, 'limit=5')).toEqual(before);
    const changed = await register(ctx.base, v1Named('page agent 03', { description: 'changed while on a page' }));
    const after = await list(ctx.base, 'limit=5');
    expect(idsOf(after)).toEqual(idsOf(before));
    expect(after.results[2]?.revision).toBe(changed.revision);
    expect(after.agents[2]?.description).toBe('changed while on a page');
    expect(after.results.filter((_, i) => i !== 2)).toEqual(before.results.filter((_, i) => i !== 2));
  });

  it('the default page holds every agent when there are fewer than the default limit', async () => {
    const page = await list(ctx.base, '');
    expect(idsOf(page)).toEqual(ids);
    expect(page.next_cursor).toBeNull();
  });

  it('an invalid cursor answers 400', async () => {
    const res = await fetch(`${ctx.base}/agents?cursor=not-a-real-cursor`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.violations?.map((v) => v.path)).toContain('$.cursor');
  });

  it.each(['limit=0', 'limit=1000', 'limit=abc', 'limit=2.5'])('%s answers 400 naming the limit', async (query) => {
    const res = await fetch(`${ctx.base}/agents?${query}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.violations?.map((v) => v.path)).toEqual(['$.limit']);
  });

  it('unknown search parameters answer 400 listing every one of them', async () => {
    const res = await fetch(`${ctx.base}/agents?colour=red&size=big&limit=5`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.violations?.map((v) => v.path).sort()).toEqual(['$.colour', '$.size']);
  });

  it('every problem of the parameters is listed, not just the first', async () => {
    const res = await fetch(`${ctx.base}/agents?limit=0&streaming=maybe&colour=red`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.violations?.map((v) => v.path).sort()).toEqual(['$.colour', '$.limit', '$.streaming']);
  });
});

describe('REST API: filtering and searching', () => {
  const ctx = useRegistry();

  const skill = (id: string, tags: string[], extra: Record<string, unknown> = {}) => ({
    id,
    name: `Skill ${id}`,
    description: `The ${id} skill`,
    tags,
    ...extra,
  });
  const iface = (binding: string) => ({ url: `https://${binding.toLowerCase().replace(/\W/g, '')}.example.com/a2a`, protocolBinding: binding, protocolVersion: '1.0' });

  const cards = {
    'weather-agent': cardV1(),
    translator: cardV03(),
    'legacy-agent': legacyCard(),
    'storm-tracker': v1Named('Storm Tracker', {
      description: 'Tracks severe weather',
      supportedInterfaces: [iface('HTTP+JSON')],
      provider: { organization: 'Other Org' },
      capabilities: { streaming: false, pushNotifications: true, extensions: [{ uri: 'https://example.com/ext/radar' }] },
      defaultInputModes: ['audio/wav'],
      defaultOutputModes: ['text/plain'],
      skills: [skill('alerts', ['weather', 'storm'], { name: 'Severe weather alerts' })],
    }),
    'forecast-pro': v1Named('Forecast Pro', {
      description: 'Professional forecasts',
      supportedInterfaces: [iface('GRPC')],
      provider: { organization: 'Pro Forecasts Ltd' },
      capabilities: { streaming: true },
      skills: [skill('forecast', ['meteorology'])],
    }),
    'alpha-watcher': v1Named('Alpha Watcher', {
      description: 'Watches storm fronts and sends alerts',
      provider: { organization: 'Other Org' },
      capabilities: { streaming: false, pushNotifications: false },
      skills: [skill('watch', ['monitoring'])],
    }),
    'zeta-storm-alerts': v1Named('Zeta Storm Alerts', {
      description: 'Zeta service',
      capabilities: { streaming: false },
      skills: [skill('zeta', ['monitoring'])],
    }),
    'beta-storm': v1Named('Beta Storm', {
      description: 'Only the storm word',
      capabilities: { streaming: false },
      skills: [skill('beta', ['monitoring'])],
    }),
  } satisfies Record<string, Record<string, unknown>>;

  beforeAll(async () => {
    for (const [id, card] of Object.entries(cards)) {
      const saved = await register(ctx.base, card);
      expect(saved.agent_id).toBe(id);
    }
  });

  const sorted = (ids: string[]) => [...ids].sort();
  /** Search results within a rank tier come oldest registration first: the order of `cards`. */
  const registered = Object.keys(cards);
  const inRegistrationOrder = (ids: string[]) => [...ids].sort((a, b) => registered.indexOf(a) - registered.indexOf(b));

  it.each([
    ['skill=forecast', ['forecast-pro', 'weather-agent']],
    ['skill=summarize', ['legacy-agent']],
    ['tag=weather', ['storm-tracker', 'weather-agent']],
    ['input_mode=application/pdf', ['translator']],
    ['input_mode=audio/wav', ['storm-tracker']],
    ['output_mode=image/png', ['weather-agent']],
    ['binding=GRPC', ['forecast-pro', 'translator']],
    ['binding=HTTP%2BJSON', ['storm-tracker']],
    ['streaming=true', ['forecast-pro', 'weather-agent']],
    ['streaming=false', ['alpha-watcher', 'beta-storm', 'legacy-agent', 'storm-tracker', 'translator', 'zeta-storm-alerts']],
    ['push_notifications=true', ['storm-tracker', 'translator']],
    ['provider=Other%20Org', ['alpha-watcher', 'storm-tracker']],
    ['extension=https%3A%2F%2Fexample.com%2Fext%2Fradar', ['storm-tracker']],
    ['extension=https%3A%2F%2Fexample.com%2Fext%2Fgeo', ['weather-agent']],
  ])('GET /agents?%s returns exactly the matching agents', async (query, expected) => {
    const page = await list(ctx.base, query);
    expect(idsOf(page)).toEqual(inRegistrationOrder(expected));
    expect(page.total).toBe(expected.length);
    expect(page.count).toBe(expected.length);
  });

  it.each([
    ['tag=weather&streaming=true', ['weather-agent']],
    ['skill=forecast&binding=GRPC', ['forecast-pro']],
    ['provider=Other%20Org&push_notifications=true', ['storm-tracker']],
    ['tag=monitoring&q=storm', ['alpha-watcher', 'beta-storm', 'zeta-storm-alerts']],
    ['tag=weather&tag=storm', ['storm-tracker']],
    ['tag=weather,storm', ['storm-tracker']],
    ['skill=forecast&streaming=false', []],
  ])('filters combine with AND: %s', async (query, expected) => {
    expect(sorted(idsOf(await list(ctx.base, query)))).toEqual(sorted(expected));
  });

  it.each(['tag=WEATHER', 'tag=Weather', 'tag=%20weather%20'])('tag matching ignores case and padding (%s)', async (query) => {
    expect(idsOf(await list(ctx.base, query))).toEqual(['weather-agent', 'storm-tracker']);
  });

  it('a tag registered in mixed case is found in lower case', async () => {
    // cardV1 tags its skill "Forecast".
    expect(idsOf(await list(ctx.base, 'tag=forecast'))).toEqual(['weather-agent']);
  });

  it('q requires every word to appear in the card', async () => {
    expect(idsOf(await list(ctx.base, 'q=storm%20fronts'))).toEqual(['alpha-watcher']);
    expect(idsOf(await list(ctx.base, 'q=storm%20nonexistentword'))).toEqual([]);
  });

  it('q ranks agents whose name holds every word first, then the others, each oldest registration first', async () => {
    const page = await list(ctx.base, 'q=storm%20alerts');
    expect(idsOf(page)).toEqual(['zeta-storm-alerts', 'storm-tracker', 'alpha-watcher']);
    expect(page.query).toBe('storm alerts');
    expect(page.total).toBe(3);
  });

  it('q gives the same order on every request', async () => {
    const first = idsOf(await list(ctx.base, 'q=storm'));
    expect(first).toEqual(['storm-tracker', 'zeta-storm-alerts', 'beta-storm', 'alpha-watcher']);
    for (let i = 0; i < 3; i++) expect(idsOf(await list(ctx.base, 'q=storm'))).toEqual(first);
  });

  it.each([1, 2, 3])('paging a ranked search with a cursor, %i a page, visits every match once, in rank order', async (limit) => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: PageBody = await list(ctx.base, `q=storm&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.total).toBe(4);
      seen.push(...idsOf(page));
      cursor = page.next_cursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(seen).toEqual(['storm-tracker', 'zeta-storm-alerts', 'beta-storm', 'alpha-watcher']);
  });

  it('q matching is case- and accent-insensitive', async () => {
    expect(idsOf(await list(ctx.base, 'q=ST%C3%96RM%20Fronts'))).toEqual(['alpha-watcher']);
  });

  it('POST /agents/search with query, skills and tags answers {agents, count, query, results, total}', async () => {
    const res = await sendJson(`${ctx.base}/agents/search`, 'POST', { query: 'severe weather', skills: ['alerts'], tags: ['storm'] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as PageBody;
    expect(body).toMatchObject({ count: 1, total: 1, query: 'severe weather' });
    expect(body.agents).toStrictEqual([cards['storm-tracker']]);
    expect(body.results.map((r) => r.agent_id)).toEqual(['storm-tracker']);
    expect(body.results[0]).toMatchObject({ name: 'Storm Tracker', format: 'a2a-1.0' });
  });

  it('POST /agents/search with only skills returns every agent with that skill', async () => {
    const res = await sendJson(`${ctx.base}/agents/search`, 'POST', { skills: ['forecast'] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as PageBody;
    expect(idsOf(body)).toEqual(['weather-agent', 'forecast-pro']);
    expect(body.query).toBeNull();
  });

  it('POST /agents/search with unknown parameters answers 400 listing them', async () => {
    const res = await sendJson(`${ctx.base}/agents/search`, 'POST', { query: 'storm', colour: 'red', skils: ['x'] });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.violations?.map((v) => v.path).sort()).toEqual(['$.colour', '$.skils']);
  });

  it.each([0, 1000, 'abc'])('POST /agents/search with limit %s answers 400 naming the limit', async (limit) => {
    const res = await sendJson(`${ctx.base}/agents/search`, 'POST', { query: 'storm', limit });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.violations?.map((v) => v.path)).toEqual(['$.limit']);
  });

  it('POST /agents/search with an invalid cursor answers 400', async () => {
    const res = await sendJson(`${ctx.base}/agents/search`, 'POST', { query: 'storm', cursor: 'bogus' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.violations?.map((v) => v.path)).toEqual(['$.cursor']);
  });
});
