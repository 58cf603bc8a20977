import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { RegistryRequest, RegistryResponse } from '../../src/http/registry-messages.js';
import { cardV1 } from '../helpers/cards.js';
import { useRegistry } from '../helpers/use-registry.js';

/** The private symbol Express's router sets on every routed request: the one key a request cannot be given up front. */
const ROUTER_SYMBOL = 'Symbol(router.tracing.matchedRoute)';

/** Own keys that `object` has now and had not in `before`. */
const keysAddedSince = (before: Set<string | symbol>, object: object) =>
  Reflect.ownKeys(object).filter((key) => !before.has(key)).map(String);

describe('request and response objects', () => {
  const registry = useRegistry({ ROLE: 'api' });

  /** Sends a request and answers which own keys its request and response objects gained between arriving and being answered. */
  async function keysAddedBy(path: string, init: RequestInit = {}): Promise<{ request: string[]; response: string[] }> {
    const added = { request: [] as string[], response: [] as string[] };
    const watch = (req: IncomingMessage, res: ServerResponse) => {
      expect(req).toBeInstanceOf(RegistryRequest);
      expect(res).toBeInstanceOf(RegistryResponse);
      const request = new Set(Reflect.ownKeys(req));
      const response = new Set(Reflect.ownKeys(res));
      res.once('finish', () => {
        added.request = keysAddedSince(request, req).filter((key) => key !== ROUTER_SYMBOL);
        added.response = keysAddedSince(response, res);
      });
    };
    registry.server.prependListener('request', watch);
    try {
      // identity: compression wraps the methods of responses that may be compressed, on purpose
      const headers = { 'accept-encoding': 'identity', ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers };
      await (await fetch(`${registry.base}${path}`, { ...init, headers })).arrayBuffer();
    } finally {
      registry.server.off('request', watch);
    }
    return added;
  }

  it('keep the shape they were constructed with on every kind of route, errors included', async () => {
    const card = JSON.stringify({ agent_card: cardV1({ name: 'Shape Agent' }) });
    const rpc = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'get_agent', params: { agent_id: 'shape-agent' } });
    const requests: Array<[string, RequestInit?]> = [
      ['/health'],
      ['/agents', { method: 'POST', body: card }],
      ['/agents/shape-agent'],
      ['/agents/shape-agent', { method: 'PUT', body: card }],
      ['/agents/shape-agent/heartbeat', { method: 'POST' }],
      ['/agents?q=shape&limit=5'],
      ['/agents/search', { method: 'POST', body: JSON.stringify({ query: 'shape' }) }],
      ['/jsonrpc', { method: 'POST', body: rpc }],
      ['/agents', { method: 'POST', body: '{"agent_card":' }],
      ['/agents', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' }],
      ['/no-such-route'],
      ['/agents/shape-agent', { method: 'DELETE' }],
    ];
    for (const [path, init] of requests) {
      const request = `${init?.method ?? 'GET'} ${path}`;
      expect({ request, added: await keysAddedBy(path, init) }).toEqual({ request, added: { request: [], response: [] } });
    }
  });
});
