import type { Redis } from 'ioredis';
import { UnavailableError } from '../errors.js';
import type { Logger } from '../logger.js';
import { decide, type Budget, type RateLimitDecision, type RateLimiter, type RateLimits } from './rate-limiter.js';

/** Counts a request and starts the window's expiry with its first one; answers the count and the time left. */
const COUNT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
return {count, ttl}
`;

interface CountCommand {
  countRequest(key: string, windowMs: string): Promise<[number, number]>;
}

/**
 * The limiter every replica shares: one Redis counter per caller, budget and window, so adding
 * replicas does not multiply anyone's budget. When Redis does not answer, writes fail closed
 * (503) and reads fail open, so an outage never lets writes through unchecked nor blocks reads.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis & CountCommand;

  constructor(
    redis: Redis,
    private readonly keyPrefix: string,
    private readonly limits: RateLimits,
    private readonly logger: Logger,
  ) {
    if (!('countRequest' in redis)) redis.defineCommand('countRequest', { numberOfKeys: 1, lua: COUNT_SCRIPT });
    this.redis = redis as Redis & CountCommand;
  }

  async consume(caller: string, budget: Budget): Promise<RateLimitDecision> {
    const windowMs = this.limits.windowSeconds * 1000;
    const window = Math.floor(Date.now() / windowMs);
    try {
      const [count, ttl] = await this.redis.countRequest(`${this.keyPrefix}rl:${budget}:${window}:${caller}`, String(windowMs));
      return decide(this.limits[budget], count, ttl > 0 ? ttl : windowMs);
    } catch (error) {
      if (budget === 'write') throw new UnavailableError('Rate limits cannot be checked: storage is unavailable');
      this.logger.warn({ err: error }, 'Rate limit store unavailable; letting a read through');
      return decide(this.limits.read, 0, windowMs);
    }
  }
}
