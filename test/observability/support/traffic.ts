import { expect } from 'vitest';
import { cardV1 } from '../../helpers/cards.js';

async function call(origin: string, method: string, path: string, body?: unknown): Promise<Response> {
  const response = await fetch(`${origin}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  await response.arrayBuffer();
  return response;
}

/**
 * Requests that make every labelled series of the registry exist on each API replica: a register
 * (one long-lived agent, one with a 1 s heartbeat TTL that the worker's sweep expires), reads that
 * miss and then hit the replica cache, a heartbeat, the card, a listing, a search, a 404 and a
 * JSON-RPC call. Each replica registers its own agents, so every replica also receives
 * invalidations from the others.
 */
export async function driveTraffic(apiOrigins: string[], round = 0): Promise<void> {
  for (const [i, origin] of apiOrigins.entries()) {
    const kept = `obs-kept-${i}-${round}`;
    const lapsing = `obs-lapsing-${i}-${round}`;
    expect((await call(origin, 'PUT', `/agents/${kept}`, { heartbeat_ttl_seconds: 600, agent_card: cardV1({ name: `Kept ${i}` }) })).status).toBe(201);
    expect((await call(origin, 'POST', '/agents', { heartbeat_ttl_seconds: 1, agent_card: cardV1({ name: lapsing }) })).status).toBe(201);
    for (const other of apiOrigins) {
      expect((await call(other, 'GET', `/agents/${kept}`)).status).toBe(200);
      expect((await call(other, 'GET', `/agents/${kept}`)).status).toBe(200);
    }
    expect((await call(origin, 'POST', `/agents/${kept}/heartbeat`)).status).toBe(200);
    expect((await call(origin, 'GET', `/agents/${kept}/card`)).status).toBe(200);
    expect((await call(origin, 'GET', '/agents?limit=5')).status).toBe(200);
    expect((await call(origin, 'POST', '/agents/search', { query: 'weather', limit: 5 })).status).toBe(200);
    expect((await call(origin, 'GET', '/agents/no-such-agent')).status).toBe(404);
    expect((await call(origin, 'POST', '/jsonrpc', { jsonrpc: '2.0', id: 1, method: 'health_check' })).status).toBe(200);
  }
}
