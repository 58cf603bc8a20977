import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/auth/authenticators.js';
import { cardV1 } from '../helpers/cards.js';
import { reasonOf, rpc } from '../helpers/jsonrpc.js';
import { sendJson } from '../helpers/registry-server.js';
import { useRegistry } from '../helpers/use-registry.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Body = Record<string, any>;

const KEYS = { alice: 'alice-extension-key', root: 'root-extension-key' };
const API_KEYS = [`alice:publisher:${sha256Hex(KEYS.alice)}`, `root:admin:${sha256Hex(KEYS.root)}`].join(',');
const as = (key: string) => ({ 'x-api-key': key });

/** A card named `name` declaring these extensions (`!` after a URI: required). */
function declaring(name: string, ...uris: string[]): Record<string, unknown> {
  const extensions = uris.map((uri) => (uri.endsWith('!') ? { uri: uri.slice(0, -1), required: true } : { uri }));
  return cardV1({ name, capabilities: { streaming: false, extensions } });
}

describe('the extension catalog', () => {
  const ctx = useRegistry({ AUTH_MODE: 'apikey', API_KEYS });

  const register = async (card: Record<string, unknown>) => {
    const res = await sendJson(`${ctx.base}/agents`, 'POST', { agent_card: card }, as(KEYS.alice));
    expect(res.status).toBe(201);
    return ((await res.json()) as Body).agent_id as string;
  };
  const get = async (path: string, status = 200) => {
    const res = await fetch(`${ctx.base}${path}`);
    const body = (await res.json()) as Body;
    expect(res.status, JSON.stringify(body)).toBe(status);
    return body;
  };

  it('GET /extensions lists each declared extension with its agents count, requirement, first and last seen and trust level', async () => {
    const a = await register(declaring('Catalog A', 'https://ext.example/geo/v1', 'urn:cat:pay!'));
    await register(declaring('Catalog B', 'https://ext.example/geo/v1'));
    const body = await get('/extensions?uri_pattern=ext.example/geo');
    expect(body.extensions).toEqual([
      {
        uri: 'https://ext.example/geo/v1',
        required: false,
        usage_count: 2,
        requiring_agents_count: 0,
        trust_level: 'unverified',
        first_declared_by_agent: a,
        first_declared_at: expect.any(String),
        first_seen: expect.any(String),
        last_seen: expect.any(String),
      },
    ]);
    expect(Date.parse(body.extensions[0].last_seen)).toBeGreaterThanOrEqual(Date.parse(body.extensions[0].first_seen));
    expect((await get('/extensions?uri_pattern=URN:CAT:PAY')).extensions[0]).toMatchObject({ required: true, requiring_agents_count: 1 });
  });

  it('pages with page_size and page_token until next_page_token is null, every extension once', async () => {
    await register(declaring('Paged One', 'urn:paged:1', 'urn:paged:2', 'urn:paged:3'));
    await register(declaring('Paged Two', 'urn:paged:4', 'urn:paged:5'));
    const seen: string[] = [];
    let token: string | null = null;
    do {
      const body: Body = await get(`/extensions?uri_pattern=urn:paged&page_size=2${token ? `&page_token=${token}` : ''}`);
      expect(body.count).toBeLessThanOrEqual(2);
      seen.push(...body.extensions.map((e: Body) => e.uri));
      token = body.next_page_token;
    } while (token);
    expect(seen).toEqual(['urn:paged:1', 'urn:paged:2', 'urn:paged:3', 'urn:paged:4', 'urn:paged:5']);
  });

  it('an unfiltered page carries the exact total', async () => {
    const body = await get('/extensions?page_size=1');
    expect(body.total_count).toBeGreaterThanOrEqual(5);
  });

  it('filters by declaring_agents (any of them) and by trust_levels', async () => {
    const one = await register(declaring('Declarer One', 'urn:decl:a', 'urn:decl:b'));
    const two = await register(declaring('Declarer Two', 'urn:decl:c'));
    await register(declaring('Declarer Three', 'urn:decl:d'));
    const byAgents = await get(`/extensions?declaring_agents=${one},${two}`);
    expect(byAgents.extensions.map((e: Body) => e.uri)).toEqual(['urn:decl:a', 'urn:decl:b', 'urn:decl:c']);
    expect(byAgents.total_count).toBe(3);
    const res = await sendJson(`${ctx.base}/extensions/urn:decl:b/trust`, 'PUT', { trust_level: 'verified' }, as(KEYS.root));
    expect(res.status).toBe(200);
    const verified = await get('/extensions?trust_levels=verified,official');
    expect(verified.extensions.map((e: Body) => [e.uri, e.trust_level])).toEqual([['urn:decl:b', 'verified']]);
    const rpcAnswer = await rpc(ctx.base, 'list_extensions', { declaring_agents: [one], trust_levels: ['TRUST_LEVEL_UNVERIFIED'] });
    expect(rpcAnswer.result.extensions.map((e: Body) => e.uri)).toEqual(['urn:decl:a']);
  });

  it('GET /extensions/{uri} answers the extension and the agents that declare it, the URI encoded or not', async () => {
    const first = await register(declaring('Info One', 'https://info.example/ext/v2'));
    const second = await register(declaring('Info Two', 'https://info.example/ext/v2!'));
    const plain = await get('/extensions/https://info.example/ext/v2');
    expect(plain).toMatchObject({ uri: 'https://info.example/ext/v2', usage_count: 2, required: true, declaring_agents: [first, second] });
    expect(await get(`/extensions/${encodeURIComponent('https://info.example/ext/v2')}`)).toEqual(plain);
    const paged = await get('/extensions/https://info.example/ext/v2?page_size=1');
    expect(paged.declaring_agents).toEqual([first]);
    const rest = await get(`/extensions/https://info.example/ext/v2?page_size=1&page_token=${paged.declaring_agents_next_page_token}`);
    expect(rest.declaring_agents).toEqual([second]);
  });

  it('GET /extensions/{uri} of an extension no agent declares answers 404 extension_not_found', async () => {
    expect((await get('/extensions/urn:nobody:declares', 404)).error.code).toBe('extension_not_found');
  });

  it('GET /agents/{id}/extensions answers the extensions the agent declares, as its card spells them', async () => {
    const id = await register(declaring('Own Extensions', 'https://Own.example/Mixed', 'urn:own:req!'));
    const body = await get(`/agents/${id}/extensions`);
    expect(body.agent_id).toBe(id);
    expect(body.extensions.map((e: Body) => [e.uri, e.required_by_agent, e.usage_count])).toEqual([
      ['https://Own.example/Mixed', false, 1],
      ['urn:own:req', true, 1],
    ]);
    expect((await get('/agents/no-such-agent/extensions', 404)).error.code).toBe('agent_not_found');
  });

  it('an extension leaves the catalog when its last agent no longer declares it', async () => {
    const id = await register(declaring('Leaving', 'urn:leaving:only'));
    await get('/extensions/urn:leaving:only');
    const res = await fetch(`${ctx.base}/agents/${id}`, { method: 'DELETE', headers: as(KEYS.alice) });
    expect(res.status).toBe(200);
    await get('/extensions/urn:leaving:only', 404);
  });

  it('only an admin sets a trust level: a publisher gets 403, no credentials 401, and nothing changes', async () => {
    await register(declaring('Trust Target', 'urn:trust:target'));
    const body = { trust_level: 'official' };
    expect((await sendJson(`${ctx.base}/extensions/urn:trust:target/trust`, 'PUT', body, as(KEYS.alice))).status).toBe(403);
    expect((await sendJson(`${ctx.base}/extensions/urn:trust:target/trust`, 'PUT', body)).status).toBe(401);
    const denied = await rpc(ctx.base, 'set_extension_trust', { uri: 'urn:trust:target', trust_level: 'official' }, as(KEYS.alice));
    expect(reasonOf(denied)).toBe('forbidden');
    expect((await get('/extensions/urn:trust:target')).trust_level).toBe('unverified');
    const granted = await rpc(ctx.base, 'set_extension_trust', { uri: 'urn:trust:target', trust_level: 'official' }, as(KEYS.root));
    expect(granted.result.trust_level).toBe('official');
    expect((await get('/extensions/urn:trust:target')).trust_level).toBe('official');
  });

  it.each([
    ['a page_size over 1000', '/extensions?page_size=1001', '$.page_size'],
    ['a page_size of 0', '/extensions?page_size=0', '$.page_size'],
    ['an unknown trust level', '/extensions?trust_levels=golden', '$.trust_levels[0]'],
    ['too many declaring agents', `/extensions?declaring_agents=${Array.from({ length: 21 }, (_, i) => `a${i}`).join(',')}`, '$.declaring_agents'],
    ['an unknown parameter', '/extensions?colour=blue', '$'],
    ['a page token this registry never issued', '/extensions?page_token=not-a-token', '$.cursor'],
  ])('GET /extensions with %s answers 400 naming it', async (_what, path, at) => {
    const body = await get(path, 400);
    expect(body.error.violations.map((v: Body) => v.path)).toContain(at);
  });

  it('an unknown trust level to set answers 400 and changes nothing', async () => {
    await register(declaring('Bad Level', 'urn:trust:bad'));
    const res = await sendJson(`${ctx.base}/extensions/urn:trust:bad/trust`, 'PUT', { trust_level: 'golden' }, as(KEYS.root));
    expect(res.status).toBe(400);
    expect((await get('/extensions/urn:trust:bad')).trust_level).toBe('unverified');
  });

  it('JSON-RPC list_extensions, get_extension_info and get_agent_extensions answer what REST does', async () => {
    const id = await register(declaring('Rpc Extension', 'urn:rpc:ext'));
    const listed = await rpc(ctx.base, 'list_extensions', { uri_pattern: 'urn:rpc', page_size: 10 });
    expect(listed.result).toEqual(await get('/extensions?uri_pattern=urn:rpc&page_size=10'));
    const info = await rpc(ctx.base, 'get_extension_info', { uri: 'urn:rpc:ext' });
    expect(info.result).toEqual({ found: true, extension_info: await get('/extensions/urn:rpc:ext') });
    const own = await rpc(ctx.base, 'get_agent_extensions', { agent_id: id });
    expect(own.result).toEqual(await get(`/agents/${id}/extensions`));
    const missing = await rpc(ctx.base, 'get_extension_info', { uri: 'urn:rpc:missing' });
    expect(reasonOf(missing)).toBe('extension_not_found');
  });

  it('GET / lists the extension endpoints', async () => {
    const endpoints = (await get('/')).protocols.secondary.endpoints;
    expect(endpoints).toMatchObject({
      extensions: 'GET /extensions',
      extension: 'GET /extensions/{uri}',
      extension_trust: 'PUT /extensions/{uri}/trust',
      agent_extensions: 'GET /agents/{id}/extensions',
    });
  });
});
