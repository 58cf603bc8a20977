import { Redis } from 'ioredis';

/** Redis's `used_memory`, in bytes. */
export const usedMemory = async (url: string): Promise<number> => {
  const redis = new Redis(url);
  const info = await redis.info('memory');
  redis.disconnect();
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
};

/** Deletes every key under `prefix`: the harness's own keys, by SCAN and UNLINK (a harness does that, never a request path). */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
  redis.disconnect();
}


/**
 * Microseconds and calls Redis spent in Lua scripts since its statistics were last reset: by
 * EVALSHA, and by EVAL where a client sent a script Redis had not seen from it yet.
 */
export async function scriptTime(redis: Redis): Promise<{ usec: number; calls: number }> {
  const stats = await redis.info('commandstats');
  let usec = 0;
  let calls = 0;
  for (const [, count, micros] of stats.matchAll(/cmdstat_eval(?:sha)?:calls=(\d+),usec=(\d+)/g)) {
    calls += Number(count);
    usec += Number(micros);
  }
  return { usec, calls };
}
