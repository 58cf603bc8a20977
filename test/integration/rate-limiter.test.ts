import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { UnavailableError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { MemoryRateLimiter } from '../../src/rate-limit/rate-limiter.js';
import { RedisRateLimiter } from '../../src/rate-limit/redis-rate-limiter.js';
import { freePort } from '../../scripts/local-redis.js';
import { connect, deleteKeys, uniquePrefix } from '../helpers/redis.js';

const limits = { read: 3, write: 2, windowSeconds: 60 };
const silent = createLogger('silent', false);

describe('MemoryRateLimiter', () => {
  it('allows the budget, refuses past it, and counts callers and budgets apart', async () => {
    const limiter = new MemoryRateLimiter(limits);
    const writes = [];
    for (let i = 0; i < 3; i++) writes.push((await limiter.consume('a', 'write')).allowed);
    expect(writes).toEqual([true, true, false]);
    expect((await limiter.consume('b', 'write')).allowed).toBe(true);
    expect((await limiter.consume('a', 'read')).remaining).toBe(2);
  });
});

describe('RedisRateLimiter', () => {
  const redis = connect();
  const prefix = uniquePrefix();
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('shares one count between limiter instances on the same Redis', async () => {
    const first = new RedisRateLimiter(connect(), prefix, limits, silent);
    const second = new RedisRateLimiter(connect(), prefix, limits, silent);
    expect((await first.consume('shared', 'write')).allowed).toBe(true);
    expect((await second.consume('shared', 'write')).allowed).toBe(true);
    const third = await first.consume('shared', 'write');
    expect(third.allowed).toBe(false);
    expect(third.resetSeconds).toBeGreaterThan(0);
    expect(third.resetSeconds).toBeLessThanOrEqual(60);
  });

  it('fails closed for writes and open for reads when Redis does not answer', async () => {
    const dead = new Redis(`redis://127.0.0.1:${await freePort()}`, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    dead.on('error', () => {});
    const limiter = new RedisRateLimiter(dead, prefix, limits, silent);
    await expect(limiter.consume('x', 'write')).rejects.toBeInstanceOf(UnavailableError);
    expect((await limiter.consume('x', 'read')).allowed).toBe(true);
    dead.disconnect();
  });
});
