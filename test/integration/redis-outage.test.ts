import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardV1 } from '../helpers/cards.js';
import { uniquePrefix } from '../helpers/redis.js';
import { sendJson, startRegistry, type RunningRegistry } from '../helpers/registry-server.js';
import { freePort, startRedisServer } from '../setup/redis-global-setup.js';

/** The bound within which every request must answer while Redis is down. */
const OUTAGE_ANSWER_BOUND_MS = 1500;

interface ErrorBody {
  error: { code: string; message: string };
  detail: string;
}

interface RedisServer {
  process: ChildProcess;
  dir: string;
}

async function stopRedisServer(server: RedisServer | undefined): Promise<void> {
  if (!server) return;
  const { process: child } = server;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }
  rmSync(server.dir, { recursive: true, force: true });
}

/** Runs a request and returns its response with how long it took to answer. */
async function timed(request: () => Promise<Response>): Promise<{ res: Response; ms: number }> {
  const started = performance.now();
  const res = await request();
  await res.clone().arrayBuffer();
  return { res, ms: performance.now() - started };
}

/** Checks a fast 503 with Retry-After and the JSON error `unavailable`. */
async function expectUnavailable({ res, ms }: { res: Response; ms: number }): Promise<void> {
  expect(res.status).toBe(503);
  expect(ms).toBeLessThan(OUTAGE_ANSWER_BOUND_MS);
  expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
  const body = (await res.json()) as ErrorBody;
  expect(body.error.code).toBe('unavailable');
  expect(body.detail).toBe(body.error.message);
}

describe('registry when its Redis goes away and comes back', () => {
  const prefix = uniquePrefix();
  let port: number;
  const servers: RedisServer[] = [];
  let running: RunningRegistry | undefined;
  let base: string;

  beforeAll(async () => {
    port = await freePort();
    servers.push(await startRedisServer(port));
    running = await startRegistry({
      REDIS_URL: `redis://127.0.0.1:${port}`,
      REDIS_PREFIX: prefix,
      REDIS_COMMAND_TIMEOUT_MS: '300',
      SHUTDOWN_TIMEOUT_MS: '3000',
    });
    base = running.baseUrl;
    const res = await sendJson(`${base}/agents`, 'POST', { agent_card: cardV1({ name: 'Outage Agent' }) });
    expect(res.status).toBe(201);
  });

  afterAll(async () => {
    await running?.close();
    for (const server of servers) await stopRedisServer(server);
  });

  describe('while Redis is down', () => {
    beforeAll(async () => {
      await stopRedisServer(servers[0]);
    });

    it('GET /agents/{id} answers 503 unavailable with Retry-After, fast', async () => {
      await expectUnavailable(await timed(() => fetch(`${base}/agents/outage-agent`)));
    });

    it('GET /agents/{id}/card answers 503 unavailable with Retry-After, fast', async () => {
      await expectUnavailable(await timed(() => fetch(`${base}/agents/outage-agent/card`)));
    });

    it('POST /agents answers 503 unavailable with Retry-After, fast', async () => {
      await expectUnavailable(await timed(() => sendJson(`${base}/agents`, 'POST', { agent_card: cardV1({ name: 'During Outage' }) })));
    });

    it('GET /agents answers 503 unavailable with Retry-After, fast', async () => {
      await expectUnavailable(await timed(() => fetch(`${base}/agents?limit=10`)));
    });

    it('GET /agents with a filter answers 503 unavailable with Retry-After, fast', async () => {
      await expectUnavailable(await timed(() => fetch(`${base}/agents?skill=forecast&q=weather`)));
    });

    it('DELETE /agents/{id} answers 503 unavailable with Retry-After, fast', async () => {
      await expectUnavailable(await timed(() => fetch(`${base}/agents/outage-agent`, { method: 'DELETE' })));
    });

    it('every one of several requests in a row answers 503 fast (no build-up)', async () => {
      for (let i = 0; i < 5; i++) await expectUnavailable(await timed(() => fetch(`${base}/agents/outage-agent`)));
    });

    it('JSON-RPC get_agent answers the unavailable error (-32012), fast', async () => {
      const { res, ms } = await timed(() =>
        sendJson(`${base}/jsonrpc`, 'POST', { jsonrpc: '2.0', id: 1, method: 'get_agent', params: { agent_id: 'outage-agent' } }),
      );
      expect(ms).toBeLessThan(OUTAGE_ANSWER_BOUND_MS);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { error?: { code: number } }).error?.code).toBe(-32012);
    });

    it('GET /health still answers 200 healthy', async () => {
      const res = await fetch(`${base}/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'healthy' });
    });

    it('GET /ready answers 503 not_ready', async () => {
      const res = await fetch(`${base}/ready`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ status: 'not_ready' });
    });
  });

  describe('after Redis is back on the same port', () => {
    beforeAll(async () => {
      servers.push(await startRedisServer(port));
    });

    it('the registry reconnects by itself and a new registration succeeds', { timeout: 30_000 }, async () => {
      let status = 0;
      for (let attempt = 0; attempt < 100; attempt++) {
        status = (await fetch(`${base}/agents?limit=1`)).status;
        if (status !== 503) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(status).toBe(200);
      const res = await sendJson(`${base}/agents`, 'POST', { agent_card: cardV1({ name: 'After Outage' }) });
      expect(res.status).toBe(201);
      const read = await fetch(`${base}/agents/after-outage/card`);
      expect(read.status).toBe(200);
      expect(((await read.json()) as { name: string }).name).toBe('After Outage');
    });

    it('the agent registered before the outage is gone, as the restarted Redis kept nothing', async () => {
      const res = await fetch(`${base}/agents/outage-agent`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as ErrorBody).error.code).toBe('agent_not_found');
    });

    it('GET /ready answers 200 again', { timeout: 30_000 }, async () => {
      let res = await fetch(`${base}/ready`);
      for (let attempt = 0; attempt < 100 && res.status !== 200; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        res = await fetch(`${base}/ready`);
      }
      expect(res.status).toBe(200);
    });
  });
});
