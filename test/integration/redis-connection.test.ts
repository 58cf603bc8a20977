import type { Socket } from 'node:net';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { CommandTimeoutError, createRedisConnection, waitUntilReady } from '../../src/store/redis-connection.js';
import { redisUrl } from '../helpers/redis.js';
import { freePort, startRedisServer } from '../setup/redis-global-setup.js';

/** Keeps the event loop busy for `ms`, as a replica serialising large pages does. */
function busyFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/** The methods by which a socket hands bytes to the operating system: each call is one system call. */
const HANDLE_WRITES = ['writev', 'writeBuffer', 'writeUtf8String', 'writeLatin1String', 'writeAsciiString'] as const;

/** Counts the writes `socket` hands to the operating system from now on (through Node's stream handle). */
function countWrites(socket: Socket): { readonly count: number } {
  const handle = (socket as unknown as { _handle: Record<string, (...args: unknown[]) => unknown> })._handle;
  const counter = { count: 0 };
  for (const name of HANDLE_WRITES) {
    const original = handle[name];
    if (typeof original !== 'function') continue;
    handle[name] = (...args: unknown[]) => {
      counter.count++;
      return original.apply(handle, args);
    };
  }
  return counter;
}

describe('the command connection', () => {
  it('sends the commands of one turn of the event loop in one write, and each later one at the end of its own turn', async () => {
    const redis = createRedisConnection({ endpoint: { mode: 'single', url: redisUrl() }, commandTimeoutMs: 1000, logger: pino({ level: 'silent' }) });
    try {
      expect(await waitUntilReady(redis, 5000)).toBe(true);
      const writes = countWrites(redis.stream as Socket);
      const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => redis.echo(`command-${i}`)));
      expect(replies[49]).toBe('command-49');
      expect(writes.count).toBe(1);

      for (let i = 0; i < 3; i++) expect(await redis.echo(`alone-${i}`)).toBe(`alone-${i}`);
      expect(writes.count).toBe(4);
    } finally {
      redis.disconnect();
    }
  });
});

describe('the command deadline', () => {
  const silent = pino({ level: 'silent' });

  it('does not fail a command whose answer waited while this process was busy', async () => {
    const redis = createRedisConnection({ endpoint: { mode: 'single', url: redisUrl() }, commandTimeoutMs: 100, logger: silent });
    try {
      expect(await waitUntilReady(redis, 5000)).toBe(true);
      const replies = Array.from({ length: 20 }, (_, i) => redis.echo(`busy-${i}`));
      // Let the commands go out (their write waits for the end of this turn), then stay busy past the deadline.
      await new Promise((resolve) => setImmediate(resolve));
      busyFor(400);
      expect(await Promise.all(replies)).toEqual(Array.from({ length: 20 }, (_, i) => `busy-${i}`));
    } finally {
      redis.disconnect();
    }
  });

  it('fails a command that Redis does not answer within the deadline, with an error that says so', async () => {
    const server = await startRedisServer(await freePort());
    const redis = createRedisConnection({ endpoint: { mode: 'single', url: server.url }, commandTimeoutMs: 200, logger: silent });
    try {
      expect(await waitUntilReady(redis, 5000)).toBe(true);
      server.process.kill('SIGSTOP');
      const started = performance.now();
      const error = await redis.ping().then(() => undefined, (failure: Error) => failure);
      expect(error).toBeInstanceOf(CommandTimeoutError);
      expect(performance.now() - started).toBeGreaterThanOrEqual(190);
      expect(performance.now() - started).toBeLessThan(1000);
    } finally {
      server.process.kill('SIGCONT');
      redis.disconnect();
      await server.stop();
    }
  });
});
