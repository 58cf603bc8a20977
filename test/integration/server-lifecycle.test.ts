import { connect as connectTcp } from 'node:net';
import { describe, expect, it } from 'vitest';
import { connect, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { startRegistry } from '../helpers/registry-server.js';

/** Opens a connection, sends half a request's headers and resolves with the milliseconds until the server closes it. */
function slowClient(port: number, giveUpMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connectTcp(port, '127.0.0.1', () => socket.write('GET /health HTTP/1.1\r\nHost: x\r\n'));
    const gaveUp = setTimeout(() => {
      socket.destroy();
      resolve(Infinity);
    }, giveUpMs);
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(gaveUp);
      resolve(performance.now() - started);
    });
    socket.resume();
  });
}

describe('the HTTP server and its connections', () => {
  it('cuts a client that has not sent its whole request within REQUEST_TIMEOUT_MS, not up to 30 s later', async () => {
    const running = await startRegistry({ REQUEST_TIMEOUT_MS: '1000' });
    try {
      const port = Number(new URL(running.baseUrl).port);
      const closedAfterMs = await slowClient(port, 8000);
      expect(closedAfterMs).toBeGreaterThanOrEqual(900);
      expect(closedAfterMs).toBeLessThan(2500);
    } finally {
      await running.close();
    }
  });

  it('names every Redis connection it opens, and closes every one on close() (BullMQ leaves its own open)', async () => {
    const admin = connect();
    const running = await startRegistry({ REDIS_URL: redisUrl(), REDIS_PREFIX: uniquePrefix(), ROLE: 'all' });
    const ours = async () =>
      ((await admin.client('LIST')) as string)
        .split('\n')
        .map((line) => /name=(a2a-[a-z]+)-(\d+) /.exec(line))
        .filter((match) => match?.[2] === String(process.pid))
        .map((match) => match?.[1])
        .sort();
    try {
      expect(await ours()).toEqual(['a2a-commands', 'a2a-invalidations', 'a2a-sweep']);
      expect(await running.registry.close()).toBe(true);
      const deadline = Date.now() + 2000;
      while ((await ours()).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(await ours()).toEqual([]);
    } finally {
      admin.disconnect();
    }
  });
});
