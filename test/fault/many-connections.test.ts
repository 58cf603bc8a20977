import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardV1 } from '../helpers/cards.js';
import { killLeftoverProcesses, startRegistryProcess, type RegistryProcess } from '../helpers/processes.js';
import { connect, deleteKeys, redisUrl, uniquePrefix } from '../helpers/redis.js';

const CONNECTIONS = 1000;

/** One GET on its own socket (the agent allows as many sockets as requests); resolves with the status. */
function get(agent: Agent, url: URL, sockets: Set<unknown>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('socket', (socket) => sockets.add(socket));
    req.on('error', reject);
    req.end();
  });
}

describe('a registry under many concurrent connections', () => {
  const prefix = uniquePrefix();
  const redis = connect();
  let registry: RegistryProcess;

  beforeAll(async () => {
    registry = await startRegistryProcess({ role: 'api', redisUrl: redisUrl(), redisPrefix: prefix, env: { LOG_LEVEL: 'warn' } });
    const created = await fetch(`${registry.baseUrl}/agents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ agent_card: cardV1({ name: 'Crowded' }) }),
    });
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    await registry.stop();
    await killLeftoverProcesses();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it(`serves ${CONNECTIONS} connections at once without an error`, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    const urls = Array.from({ length: CONNECTIONS }, (_, i) =>
      new URL(i % 2 === 0 ? `${registry.baseUrl}/agents/crowded` : `${registry.baseUrl}/agents?q=crowded`),
    );
    const sockets = new Set<unknown>();
    const statuses = await Promise.all(urls.map((url) => get(agent, url, sockets)));
    agent.destroy();
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(sockets.size).toBe(CONNECTIONS);
  });
});
