import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { UnavailableError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { MemoryRateLimiter } from '../../src/rate-limit/rate-limiter.js';
import { RedisRateLimiter } from '../../src/rate-limit/redis-rate-limiter.js';
import { redisKeys } from '../../src/store/redis-keys.js';
import { freePort } from '../../scripts/local-redis.js';
import { connect, deleteKeys, uniquePrefix } from '../helpers/redis.js';

const limits = { read: 3, write: 2, failedAuth: 2, windowSeconds: 60 };
const silent = createLogger('silent', false);

describe('MemoryRateLimiter', () => {
  it('counts several requests at once', async () => {
    const limiter = new MemoryRateLimiter(limits);
    expect((await limiter.consume('a', 'write', 2)).remaining).toBe(0);
    expect((await limiter.consume('a', 'write', 1)).allowed).toBe(false);
  });

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
    const first = new RedisRateLimiter(connect(), redisKeys(prefix).rateLimit, limits, silent);
    const second = new RedisRateLimiter(connect(), redisKeys(prefix).rateLimit, limits, silent);
    expect((await first.consume('shared', 'write')).allowed).toBe(true);
    expect((await second.consume('shared', 'write')).allowed).toBe(true);
    const third = await first.consume('shared', 'write');
    expect(third.allowed).toBe(false);
    expect(third.resetSeconds).toBeGreaterThan(0);
    expect(third.resetSeconds).toBeLessThanOrEqual(60);
  });

  it('counts several requests at once, with the window starting at the first', async () => {
    const limiter = new RedisRateLimiter(connect(), redisKeys(prefix).rateLimit, limits, silent);
    const batch = await limiter.consume('batch', 'write', 2);
    expect(batch).toMatchObject({ allowed: true, remaining: 0 });
    expect(batch.resetSeconds).toBeGreaterThan(50);
    expect((await limiter.consume('batch', 'write', 1)).allowed).toBe(false);
  });

  it('fails closed for writes and open for reads when Redis does not answer', async () => {
    const dead = new Redis(`redis://127.0.0.1:${await freePort()}`, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    dead.on('error', () => {});
    const limiter = new RedisRateLimiter(dead, redisKeys(prefix).rateLimit, limits, silent);
    await expect(limiter.consume('x', 'write')).rejects.toBeInstanceOf(UnavailableError);
    expect((await limiter.consume('x', 'read')).allowed).toBe(true);
    dead.disconnect();
  });
});
