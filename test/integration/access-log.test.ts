import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { cardV1 } from '../helpers/cards.js';
import { killLeftoverProcesses, startRegistryProcess, waitFor, type LogEntry } from '../helpers/processes.js';
import { connect, deleteKeys, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { sendJson } from '../helpers/registry-server.js';

const KEY = 'access-log-test-key';
const API_KEYS = `alice:publisher:${createHash('sha256').update(KEY).digest('hex')}`;

describe('access logs', () => {
  const redis = connect();
  const prefixes: string[] = [];
  afterAll(async () => {
    await killLeftoverProcesses();
    for (const prefix of prefixes) await deleteKeys(redis, prefix);
    redis.disconnect();
  });
  const start = (env: Record<string, string> = {}) => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    return startRegistryProcess({ role: 'api', redisUrl: redisUrl(), redisPrefix: prefix, env });
  };
  const requestLines = (logs: LogEntry[]) => logs.filter((entry) => entry.msg === 'request');

  it('writes one line per request, with its route template, status, duration, request id and principal, and the level by name', async () => {
    const registry = await start({ AUTH_MODE: 'apikey', API_KEYS });
    const saved = await sendJson(`${registry.baseUrl}/agents`, 'POST', { agent_card: cardV1({ name: 'Logged Agent' }) }, { 'x-api-key': KEY });
    expect(saved.status).toBe(201);
    const missing = await fetch(`${registry.baseUrl}/agents/never-there`, { headers: { 'x-request-id': 'trace-me-1' } });
    expect(missing.status).toBe(404);
    await fetch(`${registry.baseUrl}/health`);
    const lines = await waitFor('two request lines', 3000, () => {
      const found = requestLines(registry.logs());
      return found.length >= 2 && found;
    });
    expect(lines).toEqual([
      expect.objectContaining({ level: 'info', method: 'POST', route: '/agents', status: 201, principal: 'alice', reqId: saved.headers.get('x-request-id') }),
      expect.objectContaining({ level: 'info', method: 'GET', route: '/agents/:id', status: 404, reqId: 'trace-me-1' }),
    ]);
    for (const line of lines) expect(line.durationMs).toBeGreaterThanOrEqual(0);
    // Probes are debug lines: at LOG_LEVEL=info there is none for /health.
    expect(requestLines(registry.logs()).some((entry) => entry.route === '/health')).toBe(false);
    expect(registry.logs().every((entry) => typeof entry.level === 'string')).toBe(true);
  });

  it('writes none with ACCESS_LOG=false', async () => {
    const registry = await start({ ACCESS_LOG: 'false' });
    expect((await fetch(`${registry.baseUrl}/agents`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(requestLines(registry.logs())).toEqual([]);
  });
});
