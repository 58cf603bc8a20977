import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { compactRedisArgs } from '../src/store/redis-settings.js';

/** Whether a Redis answers PING at `url` within about a second. */
export async function redisAnswers(url: string): Promise<boolean> {
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

/** A TCP port nothing listens on right now. */
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

export interface LocalRedis {
  process: ChildProcess;
  url: string;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
  /** kill -9: the server writes nothing more (fault tests); resolves once it is gone. Its files stay. */
  kill(): Promise<void>;
}

/**
 * Starts a throwaway redis-server from PATH on `port` (loopback only, nothing kept on disk unless
 * `extraArgs` say so, with the registry's compact settings) and waits until it answers. `extraArgs`
 * come last, so they override those: `--appendonly yes --appendfsync always --dir <dir>` keeps an
 * AOF in `dir` that a server started again with the same arguments loads; `--replicaof 127.0.0.1
 * <port>` makes a replica (it answers PING before its first sync is done).
 */
export async function startRedisServer(port: number, extraArgs: string[] = []): Promise<LocalRedis & { dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'a2a-redis-'));
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...compactRedisArgs(), ...extraArgs],
    { stdio: 'ignore' },
  );
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(
        new Error(
          `redis-server could not be started from PATH (${error.message}). Install it (apt-get install redis-server) or set REDIS_URL.`,
        ),
      ),
    );
  });
  const url = `redis://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = (async () => {
    for (let attempt = 0; attempt < 100; attempt++) {
      if (await redisAnswers(url)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`redis-server on port ${port} did not answer within 10 s`);
  })();
  await Promise.race([ready, failed]);
  return {
    process: child,
    dir,
    url,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** One command to the server (or Sentinel) on loopback `port`, over a connection of its own that gives up at once. */
export async function askRedis(port: number, ...command: [string, ...string[]]): Promise<unknown> {
  const redis = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return await redis.call(...command);
  } finally {
    redis.disconnect();
  }
}

/** Polls `check` every 100 ms until it returns something other than false (a failed check counts as false). */
export async function pollUntil<T>(what: string, timeoutMs: number, check: () => Promise<T | false>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => false as const);
    if (value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Waited ${timeoutMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
