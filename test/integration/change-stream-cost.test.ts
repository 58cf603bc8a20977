import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisKeys } from '../../src/store/redis-keys.js';
import { cardV1 } from '../helpers/cards.js';
import { deleteKeys, monitorCaughtUp, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { sendJson, startRegistry, type RunningRegistry } from '../helpers/registry-server.js';
import { openSse, type SseConnection } from '../helpers/sse.js';

/**
 * What many change streams on one replica cost Redis: the log reads (the change log script, seen
 * with MONITOR on a database of the registry's own) grow with the writes, not with writes × streams.
 */
const DB = 12;
const STREAMS = 40;
const WRITES = 8;

describe('change streams on one replica share their reads of the log', () => {
  const prefix = uniquePrefix();
  const url = new URL(redisUrl());
  url.pathname = `/${DB}`;
  const redis = new Redis(url.toString(), { maxRetriesPerRequest: 1 });
  const changesKey = redisKeys(prefix).changes;
  let monitor: Redis;
  let registry: RunningRegistry;
  let logReads = 0;
  const streams: SseConnection[] = [];

  beforeAll(async () => {
    monitor = await redis.monitor();
    monitor.on('monitor', (_time: string, args: string[], _source: string, database: string) => {
      if (Number(database) === DB && args[0]?.toLowerCase() === 'evalsha' && args[3] === changesKey) logReads++;
    });
    registry = await startRegistry({ REDIS_URL: url.toString(), REDIS_PREFIX: prefix, ROLE: 'api', CHANGE_STREAMS_MAX: String(STREAMS) });
  });

  afterAll(async () => {
    for (const stream of streams) stream.close();
    await registry?.close();
    monitor?.disconnect();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it(`${STREAMS} streams see each of ${WRITES} writes, and the log is read about once per write and tick, not once per stream`, async () => {
    const start = ((await (await fetch(`${registry.baseUrl}/changes`)).json()) as { next_cursor: string }).next_cursor;
    for (let i = 0; i < STREAMS; i++) streams.push(await openSse(`${registry.baseUrl}/changes/stream`, start));
    await monitorCaughtUp(redis, monitor);
    logReads = 0;
    const began = Date.now();
    for (let i = 0; i < WRITES; i++) {
      const res = await sendJson(`${registry.baseUrl}/agents`, 'POST', { agent_card: cardV1({ name: `Shared Read ${i}` }) });
      expect(res.status).toBe(201);
      await Promise.all(streams.map((stream) => stream.waitForEvents(i + 1)));
    }
    await monitorCaughtUp(redis, monitor);
    const ticks = Math.ceil((Date.now() - began) / 1000);

    for (const stream of streams) {
      expect(stream.events.map((event) => JSON.parse(event.data).agent_id)).toEqual(Array.from({ length: WRITES }, (_, i) => `shared-read-${i}`));
    }
    // Each write wakes every stream at once: one shared read, and one more when a notification came
    // while it ran. Each tick wakes the idle streams together: one read.
    expect(logReads).toBeLessThanOrEqual(2 * WRITES + ticks + 1);
  });
});
