import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startRedisServer, type LocalRedis } from '../../scripts/local-redis.js';
import { cardV1 } from '../helpers/cards.js';
import { killLeftoverProcesses, startRegistryProcess, type RegistryProcess } from '../helpers/processes.js';
import { sendJson } from '../helpers/registry-server.js';

const MIB = 1024 * 1024;
/** The chart's memory limit of an API pod. */
const POD_LIMIT_BYTES = 512 * MIB;
const RESPONSE_MAX_BYTES = 8 * MIB;
/** A response may pass its budget by one page entry: a card at the body limit, and its name and description again. */
const ONE_ENTRY = 2 * MIB;

/** Resident memory of a process, from /proc. */
function rssOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}

/** A valid card of about `bytes`, most of it one description of a few repeated words. */
function largeCard(name: string, bytes: number): Record<string, unknown> {
  return cardV1({ name, description: 'a large card that repeats its words '.repeat(Math.ceil(bytes / 36)).slice(0, bytes) });
}

interface RpcAnswer {
  id: number;
  result?: { results: { agent_id: string }[]; next_cursor?: string };
  error?: { code: number; message: string };
}

describe('one small request cannot make a replica hold gigabytes', () => {
  let redis: LocalRedis;
  let registry: RegistryProcess;

  beforeAll(async () => {
    redis = await startRedisServer(await freePort());
    registry = await startRegistryProcess({ role: 'api', redisUrl: redis.url, redisPrefix: 'a2a:{amplify}:', env: { LOG_LEVEL: 'warn' } });
    for (let i = 0; i < 10; i++) {
      const res = await sendJson(`${registry.baseUrl}/agents`, 'POST', { agent_card: largeCard(`Large ${i}`, 950 * 1024) });
      expect(res.status).toBe(201);
    }
  }, 60_000);
  afterAll(async () => {
    await killLeftoverProcesses();
    await redis.stop();
  });

  it('answers a batch of 100 × list_agents {limit: 200} with at most about RESPONSE_MAX_BYTES, three times, under the pod limit', async () => {
    const batch = Array.from({ length: 100 }, (_, id) => ({ jsonrpc: '2.0', id, method: 'list_agents', params: { limit: 200 } }));
    for (let round = 0; round < 3; round++) {
      const res = await sendJson(`${registry.baseUrl}/jsonrpc`, 'POST', batch);
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(res.status).toBe(200);
      expect(bytes.length).toBeLessThan(RESPONSE_MAX_BYTES + ONE_ENTRY);
      const answers = JSON.parse(bytes.toString('utf8')) as RpcAnswer[];
      expect(answers).toHaveLength(100);
      const served = answers.filter((answer) => answer.result);
      expect(served.length).toBeGreaterThan(0);
      expect(served[0]?.result?.next_cursor).toEqual(expect.any(String));
      for (const answer of answers.slice(served.length)) expect(answer.error?.code).toBe(-32016);
      expect(rssOf(registry.pid)).toBeLessThan(POD_LIMIT_BYTES);
    }
  }, 120_000);

  it('cuts a REST page of large cards short, and its cursor leads through every agent once', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const res = await fetch(`${registry.baseUrl}/agents?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      const body = Buffer.from(await res.arrayBuffer());
      expect(res.status).toBe(200);
      expect(body.length).toBeLessThan(RESPONSE_MAX_BYTES + ONE_ENTRY);
      const page = JSON.parse(body.toString('utf8')) as { results: { agent_id: string }[]; next_cursor?: string };
      expect(page.results.length).toBeLessThan(10);
      seen.push(...page.results.map((entry) => entry.agent_id));
      cursor = page.next_cursor;
      if (!cursor) break;
    }
    expect(seen.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `large-${i}`).sort());
  }, 60_000);
});
