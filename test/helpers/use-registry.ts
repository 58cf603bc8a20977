import { afterAll, beforeAll } from 'vitest';
import { connect, deleteKeys, redisUrl, uniquePrefix } from './redis.js';
import { startRegistry, type RunningRegistry } from './registry-server.js';

/** A registry on real Redis under a prefix of its own for the enclosing suite, torn down with its keys after it. */
export function useRegistry(env: Record<string, string> = {}) {
  const prefix = uniquePrefix();
  const redis = connect();
  const state: { running?: RunningRegistry } = {};
  beforeAll(async () => {
    state.running = await startRegistry({ REDIS_URL: redisUrl(), REDIS_PREFIX: prefix, ...env });
  });
  afterAll(async () => {
    await state.running?.close();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });
  return {
    prefix,
    redis,
    get base(): string {
      if (!state.running) throw new Error('registry not started');
      return state.running.baseUrl;
    },
  };
}
