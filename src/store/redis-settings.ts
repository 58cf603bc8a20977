import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { DEFAULT_INDEX_TUNING } from './term-layout.js';

/**
 * Redis settings under which the registry's data stays compact; it works under any settings, only
 * with more memory per agent. Index sets hold agent numbers, which Redis keeps as intsets (4 bytes a
 * member instead of about 50) while a set has at most `set-max-intset-entries` members; an agent's
 * hash stays one listpack while no value (the card) is longer than `hash-max-listpack-value`.
 * docker-compose, the test set-up and the benchmark harness run Redis with these.
 */
export const COMPACT_REDIS_SETTINGS = {
  /** The most members an index set has: a small term's, or one bucket of a large one. */
  'set-max-intset-entries': Math.max(DEFAULT_INDEX_TUNING.bucketWidth, DEFAULT_INDEX_TUNING.smallTermMax),
  /** Cards up to 8 KiB stay in a listpack; larger ones use a hashtable, whose overhead is small beside them. */
  'hash-max-listpack-value': 8192,
} as const;

/** `redis-server` command-line arguments for {@link COMPACT_REDIS_SETTINGS}. */
export function compactRedisArgs(): string[] {
  return Object.entries(COMPACT_REDIS_SETTINGS).flatMap(([name, value]) => [`--${name}`, String(value)]);
}

/**
 * Warns when Redis runs with smaller limits than {@link COMPACT_REDIS_SETTINGS}. Best effort: managed
 * Redis services often refuse `CONFIG`, and then there is nothing to check.
 */
export async function warnOfLooseRedisSettings(redis: Redis, logger: Logger): Promise<void> {
  for (const [name, wanted] of Object.entries(COMPACT_REDIS_SETTINGS)) {
    try {
      const [, value] = (await redis.config('GET', name)) as string[];
      if (value !== undefined && Number(value) < wanted) {
        logger.warn({ setting: name, value: Number(value), recommended: wanted }, 'Redis setting makes each agent take more memory');
      }
    } catch (error) {
      logger.debug({ err: error, setting: name }, 'Redis settings could not be read');
      return;
    }
  }
}
