import type { Redis } from 'ioredis';
import { StorageUnavailableError } from '../errors.js';
import type { Logger } from '../logger.js';
import { decide, type Budget, type RateLimitDecision, type RateLimiter, type RateLimits } from './rate-limiter.js';

/** Counts requests and starts the window's expiry with its first ones; answers the count and the time left. */
const COUNT_SCRIPT = `
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
if count == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
return {count, ttl}
`;

interface CountCommand {
  countRequest(key: string, windowMs: string, count: string): Promise<[number, number]>;
}

/**
 * The limiter every replica shares: one Redis counter per caller, budget and window, so adding
 * replicas does not multiply anyone's budget. When Redis does not answer, writes fail closed
 * (503) and reads and failed authentications fail open (the failed attempt still gets its 401), so
 * an outage never lets writes through unchecked nor blocks reads.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis & CountCommand;

  constructor(
    redis: Redis,
    /** The counter's key of a caller, budget and window (the key space's `rateLimit`). */
    private readonly keyOf: (budget: Budget, window: number, caller: string) => string,
    private readonly limits: RateLimits,
    private readonly logger: Logger,
  ) {
    if (!('countRequest' in redis)) redis.defineCommand('countRequest', { numberOfKeys: 1, lua: COUNT_SCRIPT });
    this.redis = redis as Redis & CountCommand;
  }

  async consume(caller: string, budget: Budget, requests = 1): Promise<RateLimitDecision> {
    const windowMs = this.limits.windowSeconds * 1000;
    const window = Math.floor(Date.now() / windowMs);
    try {
      const [count, ttl] = await this.redis.countRequest(this.keyOf(budget, window, caller), String(windowMs), String(requests));
      return decide(this.limits[budget], count, ttl > 0 ? ttl : windowMs);
    } catch (error) {
      if (budget === 'write') throw new StorageUnavailableError(error);
      // Debug only: the outage itself is logged once (RedisHealth), and this happens on every read.
      this.logger.debug({ err: error, budget }, 'Rate limit store unavailable; not counting this request');
      return decide(this.limits[budget], 0, windowMs);
    }
  }
}
