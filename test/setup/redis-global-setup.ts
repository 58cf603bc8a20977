import type { TestProject } from 'vitest/node';
import { freePort, redisAnswers, startRedisServer } from '../../scripts/local-redis.js';

export { freePort, startRedisServer } from '../../scripts/local-redis.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

/** Finds the Redis the tests use (REDIS_URL, or 127.0.0.1:6379) or starts a throwaway one. */
export default async function setup(project: TestProject) {
  const configured = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (await redisAnswers(configured)) {
    project.provide('redisUrl', configured);
    return;
  }
  const started = await startRedisServer(await freePort());
  project.provide('redisUrl', started.url);
  return () => started.stop();
}
