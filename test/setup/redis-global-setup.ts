import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

async function answers(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts a throwaway redis-server from PATH on `port`, keeping nothing on disk unless told. */
export async function startRedisServer(port: number, extraArgs: string[] = []): Promise<{ process: ChildProcess; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'a2a-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extraArgs], {
    stdio: 'ignore',
  });
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(new Error(`No Redis answers and redis-server could not be started from PATH (${error.message}). Install it (apt-get install redis-server) or set REDIS_URL.`)),
    );
  });
  const url = `redis://127.0.0.1:${port}`;
  const ready = (async () => {
    for (let attempt = 0; attempt < 100; attempt++) {
      if (await answers(url)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`redis-server on port ${port} did not answer within 10 s`);
  })();
  await Promise.race([ready, failed]);
  return { process: child, dir };
}

/** Finds the Redis the tests use (REDIS_URL, or 127.0.0.1:6379) or starts a throwaway one. */
export default async function setup(project: TestProject) {
  const configured = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (await answers(configured)) {
    project.provide('redisUrl', configured);
    return;
  }
  const port = await freePort();
  const started = await startRedisServer(port);
  project.provide('redisUrl', `redis://127.0.0.1:${port}`);
  return () => {
    started.process.kill('SIGTERM');
    rmSync(started.dir, { recursive: true, force: true });
  };
}
