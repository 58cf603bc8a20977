import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

/**
 * An agent's own web server on loopback for the enclosing suite: serves `state.card` at the
 * well-known card path while `state.status` is 200, else answers that status; counts requests.
 */
export function useAgentHost(card = '') {
  const state = { card, status: 200, requests: 0 };
  let server: Server;
  let origin = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      state.requests++;
      if (state.status !== 200) return void res.writeHead(state.status).end();
      if (req.url !== '/.well-known/agent-card.json') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(state.card);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    state,
    get origin() {
      return origin;
    },
  };
}
