import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { RegistryRequest } from '../../src/http/registry-request.js';
import { cardV1 } from '../helpers/cards.js';
import { useRegistry } from '../helpers/use-registry.js';
import { sendJson } from '../helpers/registry-server.js';

/** The private symbol Express's router sets on every routed request: the one key a request cannot be given up front. */
const ROUTER_SYMBOL = 'Symbol(router.tracing.matchedRoute)';

describe('request objects', () => {
  const registry = useRegistry({ ROLE: 'api' });

  /** Sends requests and answers which own keys any of them gained between arriving and being answered. */
  async function keysAddedBy(send: () => Promise<Response>): Promise<string[]> {
    const added = new Set<string>();
    const watch = (req: IncomingMessage, res: { once(event: 'finish', listener: () => void): unknown }) => {
      expect(req).toBeInstanceOf(RegistryRequest);
      const arrived = new Set(Reflect.ownKeys(req));
      res.once('finish', () => {
        for (const key of Reflect.ownKeys(req)) if (!arrived.has(key)) added.add(String(key));
      });
    };
    registry.server.prependListener('request', watch);
    try {
      await (await send()).arrayBuffer();
    } finally {
      registry.server.off('request', watch);
    }
    added.delete(ROUTER_SYMBOL);
    return [...added];
  }

  it('keep the shape they were constructed with on every kind of route, errors included', async () => {
    const base = registry.base;
    const card = cardV1({ name: 'Shape Agent' });
    const requests: Array<[string, () => Promise<Response>]> = [
      ['health', () => fetch(`${base}/health`)],
      ['register', () => sendJson(`${base}/agents`, 'POST', { agent_card: card })],
      ['get', () => fetch(`${base}/agents/shape-agent`)],
      ['put', () => sendJson(`${base}/agents/shape-agent`, 'PUT', { agent_card: card })],
      ['heartbeat', () => fetch(`${base}/agents/shape-agent/heartbeat`, { method: 'POST' })],
      ['list with a query', () => fetch(`${base}/agents?q=shape&limit=5`)],
      ['search', () => sendJson(`${base}/agents/search`, 'POST', { query: 'shape' })],
      ['JSON-RPC', () => sendJson(`${base}/jsonrpc`, 'POST', { jsonrpc: '2.0', id: 1, method: 'get_agent', params: { agent_id: 'shape-agent' } })],
      ['malformed JSON', () => sendJson(`${base}/agents`, 'POST', '{"agent_card":')],
      ['wrong content type', () => fetch(`${base}/agents`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' })],
      ['unknown route', () => fetch(`${base}/no-such-route`)],
      ['delete', () => fetch(`${base}/agents/shape-agent`, { method: 'DELETE' })],
    ];
    for (const [name, send] of requests) {
      expect({ name, added: await keysAddedBy(send) }).toEqual({ name, added: [] });
    }
  });
});
