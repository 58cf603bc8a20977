import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';

/** The URL of the real Redis the global setup found or started. */
export const redisUrl = (): string => inject('redisUrl');

/** A key prefix of this test's own, with a hash tag, so tests never touch each other's keys. */
export const uniquePrefix = (): string => `a2a-test:{${randomUUID()}}:`;

/** Deletes every key under `prefix`; a test helper, never used on a request path. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

export function connect(): Redis {
  return new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
}

/**
 * Resolves once a MONITOR connection has delivered every command run before now: `redis` sends a
 * marker, and the monitor's feed shows it after everything that came first.
 */
export async function monitorCaughtUp(redis: Redis, monitor: Redis): Promise<void> {
  const marker = `monitor-marker-${Math.random()}`;
  const seen = new Promise<void>((resolve) => {
    const onCommand = (_time: string, args: string[]) => {
      if (args[0] === 'echo' && args[1] === marker) {
        monitor.off('monitor', onCommand);
        resolve();
      }
    };
    monitor.on('monitor', onCommand);
  });
  await redis.echo(marker);
  await seen;
}
