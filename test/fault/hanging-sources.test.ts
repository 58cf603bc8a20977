import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startRedisServer, type LocalRedis } from '../../scripts/local-redis.js';
import { cardV1 } from '../helpers/cards.js';
import { killLeftoverProcesses, startRegistryProcess, waitFor, type RegistryProcess } from '../helpers/processes.js';
import { sendJson } from '../helpers/registry-server.js';

const SOURCES = 6;
const INTERVAL_MS = 1000;
const TTL_MS = 2000;
/** Loopback http sources, refreshed every second, swept every second. */
const ENV = {
  OUTBOUND_ALLOW_HTTP: 'true',
  OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true',
  CARD_REFRESH_INTERVAL_SECONDS: '1',
  SWEEP_INTERVAL_SECONDS: String(INTERVAL_MS / 1000),
  HEARTBEAT_GRACE_SECONDS: '600',
};

/**
 * The agents' web server: serves `/source-N.json` (a card named `Source N`) until `hang` is set,
 * then accepts every request and never answers. Counts the requests left hanging at once: the
 * fetches in flight. Connections would count idle keep-alive ones from before the hang too.
 */
async function sourceServer() {
  const state = { hang: false, hanging: 0, mostHanging: 0, hungRequests: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    if (state.hang) {
      state.hungRequests++;
      state.hanging++;
      state.mostHanging = Math.max(state.mostHanging, state.hanging);
      req.socket.once('close', () => state.hanging--);
      return;
    }
    const n = /^\/source-(\d+)\.json$/.exec(req.url ?? '')?.[1];
    if (!n) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(cardV1({ name: `Source ${n}` })));
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    state,
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('card sources that accept and never answer', () => {
  let redis: LocalRedis;
  let api: RegistryProcess;
  let sources: Awaited<ReturnType<typeof sourceServer>>;

  beforeAll(async () => {
    redis = await startRedisServer(await freePort());
    sources = await sourceServer();
    const options = { redisUrl: redis.url, redisPrefix: 'a2a:{hang}:' };
    api = await startRegistryProcess({ ...options, role: 'api', env: { ...ENV, LOG_LEVEL: 'warn' } });
    await startRegistryProcess({ ...options, role: 'worker', env: ENV });
  });
  afterAll(async () => {
    await killLeftoverProcesses();
    await sources?.close();
    await redis?.stop();
  });

  it('delay no other agent\'s expiry by more than one sweep interval, and are fetched a few at a time', async () => {
    for (let n = 1; n <= SOURCES; n++) {
      const res = await sendJson(`${api.baseUrl}/agents/register-url`, 'POST', { url: `${sources.origin}/source-${n}.json` });
      expect(res.status, await res.text()).toBe(201);
    }
    sources.state.hang = true;
    await waitFor('the worker to be stuck on the sources', 5000, () => sources.state.hungRequests > 0);

    const res = await sendJson(`${api.baseUrl}/agents`, 'POST', { agent_card: cardV1({ name: 'Short Lived' }), heartbeat_ttl_seconds: TTL_MS / 1000 });
    expect(res.status).toBe(201);
    const expiresAt = Date.now() + TTL_MS;
    await waitFor('the short-lived agent to expire', 30_000, async () => {
      const body = (await (await fetch(`${api.baseUrl}/agents/short-lived`)).json()) as { status: string };
      return body.status === 'inactive';
    });
    const lateBy = Date.now() - expiresAt;
    console.info(`expired ${lateBy} ms after its TTL ran out`);
    expect(lateBy, `expired ${lateBy} ms after its TTL ran out`).toBeLessThanOrEqual(INTERVAL_MS + 1000);

    // Each hanging fetch ends at the fetcher's total timeout (10 s), so the sources beyond the first
    // four are asked one timeout later: the wait is about that, with room for a loaded machine.
    await waitFor('every source to be asked again', 30_000, () => sources.state.hungRequests >= SOURCES);
    expect(sources.state.mostHanging).toBeGreaterThan(1);
    expect(sources.state.mostHanging).toBeLessThanOrEqual(4);
  }, 90_000);
});
