import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startRedisServer, type LocalRedis } from '../../scripts/local-redis.js';
import { cardV1 } from '../helpers/cards.js';
import { killLeftoverProcesses, startRegistryProcess, waitFor, type RegistryProcess } from '../helpers/processes.js';
import { sendJson } from '../helpers/registry-server.js';

/** Redis with an append-only file synced on every write, so an acknowledged write survives a crash. */
const AOF_ARGS = (dir: string) => ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir];

describe('Redis restarted with AOF in the middle of a write load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'a2a-aof-'));
  let port: number;
  let redis: LocalRedis;
  let registry: RegistryProcess;

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedisServer(port, AOF_ARGS(dir));
    registry = await startRegistryProcess({
      role: 'api',
      redisUrl: redis.url,
      redisPrefix: 'a2a:{aof}:',
      env: { REDIS_COMMAND_TIMEOUT_MS: '500', LOG_LEVEL: 'warn' },
    });
  });
  afterAll(async () => {
    await killLeftoverProcesses();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged write, and its change log event, and recovers without a restart of the registry', async () => {
    const acknowledged = new Map<string, number>();
    const statuses = new Map<number, number>();
    let next = 0;
    let restarted = false;
    let acknowledgedAfterRestart = 0;
    const deadline = Date.now() + 5000;
    const writer = async () => {
      while (Date.now() < deadline) {
        const name = `Durable ${next++}`;
        const response = await sendJson(`${registry.baseUrl}/agents`, 'POST', { agent_card: cardV1({ name }) }).catch(() => undefined);
        const status = response?.status ?? 0;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status === 201) {
          const body = (await response?.json()) as { agent_id: string; revision: number };
          acknowledged.set(body.agent_id, body.revision);
          if (restarted) acknowledgedAfterRestart++;
        } else {
          await response?.arrayBuffer();
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    const crash = (async () => {
      await new Promise((r) => setTimeout(r, 1500));
      redis.process.kill('SIGKILL');
      await new Promise((r) => redis.process.once('exit', r));
      await new Promise((r) => setTimeout(r, 500));
      redis = await startRedisServer(port, AOF_ARGS(dir));
      restarted = true;
    })();
    await Promise.all([...Array.from({ length: 8 }, writer), crash]);

    expect([...statuses.keys()].every((status) => status === 201 || status === 503 || status === 0)).toBe(true);
    expect(statuses.get(503) ?? 0).toBeGreaterThan(0);
    expect(acknowledgedAfterRestart).toBeGreaterThan(0);
    await waitFor('registry ready again', 10_000, async () => (await fetch(`${registry.baseUrl}/ready`)).status === 200);
    const lost: string[] = [];
    for (const [id, revision] of acknowledged) {
      const response = await fetch(`${registry.baseUrl}/agents/${id}`);
      const body = response.status === 200 ? ((await response.json()) as { revision: number }) : undefined;
      if (body?.revision !== revision) lost.push(`${id}@${revision}: ${response.status}`);
    }
    expect(lost).toEqual([]);
    expect(acknowledged.size).toBeGreaterThan(50);

    // The change log came through the crash with them: each acknowledged registration has its event.
    const registered = new Map<string, number>();
    let cursor = '';
    for (let page = 0; page < 1000; page++) {
      const response = await fetch(`${registry.baseUrl}/changes?limit=500&kind=registered&include_card=false${cursor ? `&since=${cursor}` : ''}`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { changes: { agent_id: string; revision: number }[]; next_cursor: string; has_more: boolean };
      for (const event of body.changes) registered.set(event.agent_id, event.revision);
      cursor = body.next_cursor;
      if (!body.has_more) break;
    }
    const missing = [...acknowledged].filter(([id, revision]) => registered.get(id) !== revision).map(([id, revision]) => `${id}@${revision}`);
    expect(missing).toEqual([]);
  });
});
