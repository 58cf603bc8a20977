import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drive, driveOpen, RunLog } from '../../bench/harness/load-driver.js';

/** Every answer of the test server takes this long. */
const DELAY_MS = 20;

describe('the load drivers', () => {
  let server: Server;
  let origin: string;
  const next = () => ({ method: 'GET' as const, path: '/' });

  beforeAll(async () => {
    server = createServer((_req, res) => void setTimeout(() => res.end('ok'), DELAY_MS));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('at a low rate, reports about the server time', async () => {
    const result = await driveOpen({ origin, rate: 10, connections: 1, durationMs: 1000, next });
    expect(result.requests).toBe(10);
    expect(result.errors).toBe(0);
    expect(result.p50Ms).toBeGreaterThanOrEqual(DELAY_MS - 2);
    expect(result.p50Ms).toBeLessThan(5 * DELAY_MS);
  });

  it('above what one connection can serve, counts the queue from each request’s due time', async () => {
    // 100 req/s offered, 50 req/s served: request i is due at 10i ms and answered near 20(i+1) ms.
    const open = await driveOpen({ origin, rate: 100, connections: 1, durationMs: 500, next });
    expect(open.requests).toBe(50);
    expect(open.errors).toBe(0);
    expect(open.rps).toBeLessThan(80);
    expect(open.p50Ms).toBeGreaterThan(5 * DELAY_MS);
    expect(open.p95Ms).toBeGreaterThan(open.p50Ms);
    // The closed loop on the same connection reports the server time and hides the queue.
    const closed = await drive({ origin, connections: 1, durationMs: 300, next });
    expect(closed.p50Ms).toBeLessThan(open.p50Ms / 2);
  });

  it('sums rounds recorded in one log: their answers over their summed time', async () => {
    // One connection, 20 ms per answer: about 50 req/s in each round, so about 50 req/s in the sum.
    const log = new RunLog();
    const first = await drive({ origin, connections: 1, durationMs: 200, next }, log);
    const both = await drive({ origin, connections: 1, durationMs: 200, next }, log);
    expect(both.requests).toBeGreaterThan(first.requests);
    expect(both.requests).toBeGreaterThanOrEqual(2 * 8);
    expect(both.rps).toBeGreaterThan(25);
    expect(both.rps).toBeLessThan(55);
    expect(both.p50Ms).toBeGreaterThanOrEqual(DELAY_MS - 2);
  });

  it('refuses a rate that is not positive', async () => {
    await expect(driveOpen({ origin, rate: 0, durationMs: 100, next })).rejects.toThrow(/positive rate/);
  });
});
