import { Pool } from 'undici';

/** One request the driver sends. */
export interface DriverRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

export interface DriveOptions {
  origin: string;
  connections: number;
  durationMs: number;
  /** The next request to send; called once per request. */
  next: () => DriverRequest;
  /** Stop after this many requests instead of at the deadline. */
  stopAfter?: number;
}

export interface DriveResult {
  requests: number;
  errors: number;
  rps: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

const percentile = (sorted: Float64Array, p: number): number =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number);

/**
 * A closed-loop load driver: `connections` keep-alive connections, each sending its next request
 * as soon as the previous answer is read, for `durationMs`. Latency is measured per request from
 * send to the last byte of the body; any status of 400 or more, or a transport failure, is an error.
 */
export async function drive(options: DriveOptions): Promise<DriveResult> {
  const pool = new Pool(options.origin, { connections: options.connections, pipelining: 1, keepAliveTimeout: 30_000 });
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  let errors = 0;
  const record = (ms: number) => {
    if (count === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[count++] = ms;
  };
  const started = performance.now();
  const deadline = started + options.durationMs;
  const limit = options.stopAfter ?? Number.POSITIVE_INFINITY;
  let issued = 0;
  const loop = async () => {
    while (performance.now() < deadline && issued++ < limit) {
      const request = options.next();
      const sent = performance.now();
      try {
        const response = await pool.request({
          method: request.method,
          path: request.path,
          ...(request.body !== undefined ? { body: request.body, headers: { 'content-type': 'application/json' } } : {}),
        });
        await response.body.dump();
        if (response.statusCode >= 400) errors++;
      } catch {
        errors++;
      }
      record(performance.now() - sent);
    }
  };
  await Promise.all(Array.from({ length: options.connections }, loop));
  const elapsedMs = performance.now() - started;
  await pool.close();
  const sorted = latencies.slice(0, count).sort();
  return {
    requests: count,
    errors,
    rps: count / (elapsedMs / 1000),
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
  };
}
