import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startRedisServer, type LocalRedis } from '../../scripts/local-redis.js';
import { COMPACT_REDIS_SETTINGS, warnOfLooseRedisSettings } from '../../src/store/redis-settings.js';
import { capturingLogger } from '../helpers/logs.js';

describe('the Redis settings check at start-up', () => {
  let server: LocalRedis;
  let redis: Redis;

  beforeAll(async () => {
    server = await startRedisServer(await freePort());
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('finds the compact settings on the Redis the project starts, and says nothing', async () => {
    for (const [name, value] of Object.entries(COMPACT_REDIS_SETTINGS)) {
      expect(await redis.config('GET', name)).toEqual([name, String(value)]);
    }
    const lines: Record<string, unknown>[] = [];
    await warnOfLooseRedisSettings(redis, capturingLogger(lines));
    expect(lines).toEqual([]);
  });

  it('warns, naming the setting, when Redis keeps a smaller limit', async () => {
    await redis.config('SET', 'set-max-intset-entries', '512');
    const lines: Record<string, unknown>[] = [];
    await warnOfLooseRedisSettings(redis, capturingLogger(lines));
    expect(lines).toEqual([
      expect.objectContaining({ level: 40, setting: 'set-max-intset-entries', value: 512, recommended: 1024 }),
    ]);
  });

  it('gives up quietly (debug only) when Redis refuses CONFIG, as managed services do', async () => {
    await redis.call('ACL', 'SETUSER', 'limited', 'on', 'nopass', '~*', '+@all', '-config');
    const limited = new Redis(server.url, { username: 'limited', password: 'x' });
    const lines: Record<string, unknown>[] = [];
    await warnOfLooseRedisSettings(limited, capturingLogger(lines));
    limited.disconnect();
    expect(lines.map((l) => l.level)).toEqual([20]);
  });
});
