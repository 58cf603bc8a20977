import type { Server } from 'node:http';
import { afterAll, beforeAll } from 'vitest';
import { connect, deleteKeys, redisUrl, uniquePrefix } from './redis.js';
import { startRegistry, type RunningRegistry } from './registry-server.js';

/**
 * A registry on real Redis under a prefix of its own for the enclosing suite, torn down with its keys
 * after it. `env` may be a function, read when the registry starts (after the suite's own beforeAll).
 */
export function useRegistry(env: Record<string, string> | (() => Record<string, string>) = {}) {
  const prefix = uniquePrefix();
  const redis = connect();
  const state: { running?: RunningRegistry } = {};
  beforeAll(async () => {
    const extra = typeof env === 'function' ? env() : env;
    state.running = await startRegistry({ REDIS_URL: redisUrl(), REDIS_PREFIX: prefix, ...extra });
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
    get server(): Server {
      if (!state.running) throw new Error('registry not started');
      return state.running.server;
    },
  };
}
