import { Http1Pool, type DriverRequest } from './http1-pool.js';

export type { DriverRequest };

export interface DriveOptions {
  origin: string;
  connections: number;
  durationMs: number;
  /** The next request to send; called once per request. */
  next: () => DriverRequest;
  /** Stop after this many requests instead of at the deadline. */
  stopAfter?: number;
  /** Stop sending once this is aborted, before the deadline; requests in flight are awaited. */
  signal?: AbortSignal;
}

export interface DriveResult {
  requests: number;
  errors: number;
  /** Answers read per second (achieved throughput). */
  rps: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/** Connections of an open-model run when none are given. */
export const DEFAULT_OPEN_CONNECTIONS = 32;

export interface OpenDriveOptions {
  origin: string;
  /** Offered load in requests per second: request i is due at start + i / rate. Must be positive. */
  rate: number;
  /**
   * Most requests in flight at once, and the keep-alive connections they are sent on (no
   * pipelining). A request that falls due while all are busy waits for the next free one, and the
   * wait counts in its latency. Default {@link DEFAULT_OPEN_CONNECTIONS} (32).
   */
  connections?: number;
  /** Requests are due during this many milliseconds; those still in flight at the end are awaited. */
  durationMs: number;
  /** The next request to send; called once per request, when it is sent. */
  next: () => DriverRequest;
}

const percentile = (sorted: Float64Array, p: number): number =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number);

/**
 * Latencies, errors and elapsed time of one run, or of several runs against the same target
 * (rounds interleaved with other targets), and their summary as a {@link DriveResult}.
 */
export class RunLog {
  private latencies = new Float64Array(1 << 16);
  private count = 0;
  private errors = 0;
  private elapsedMs = 0;

  record(ms: number, ok: boolean): void {
    if (this.count === this.latencies.length) {
      const grown = new Float64Array(this.latencies.length * 2);
      grown.set(this.latencies);
      this.latencies = grown;
    }
    this.latencies[this.count++] = ms;
    if (!ok) this.errors++;
  }

  /** Adds the duration of a run recorded here; req/s is answers over the sum. */
  addElapsed(ms: number): void {
    this.elapsedMs += ms;
  }

  summary(): DriveResult {
    const sorted = this.latencies.slice(0, this.count).sort();
    return {
      requests: this.count,
      errors: this.errors,
      rps: this.count / (this.elapsedMs / 1000),
      p50Ms: percentile(sorted, 50),
      p95Ms: percentile(sorted, 95),
      p99Ms: percentile(sorted, 99),
    };
  }
}

/**
 * A closed-loop load driver: `connections` keep-alive connections, each sending its next request
 * as soon as the previous answer is read, for `durationMs`. Latency is measured per request from
 * send to the last byte of the body; any status of 400 or more, or a transport failure, is an error.
 * It measures throughput; its latency is connections / throughput (Little's law), see {@link driveOpen}.
 * Given a `log`, it records there too and answers the summary of everything the log holds.
 */
export async function drive(options: DriveOptions, log = new RunLog()): Promise<DriveResult> {
  const pool = new Http1Pool(options.origin, options.connections);
  const started = performance.now();
  const deadline = started + options.durationMs;
  const limit = options.stopAfter ?? Number.POSITIVE_INFINITY;
  let issued = 0;
  const loop = async () => {
    while (performance.now() < deadline && !options.signal?.aborted && issued++ < limit) {
      const request = options.next();
      const sent = performance.now();
      const ok = await pool.request(request);
      log.record(performance.now() - sent, ok);
    }
  };
  await Promise.all(Array.from({ length: options.connections }, loop));
  log.addElapsed(performance.now() - started);
  pool.close();
  return log.summary();
}

const sleepUntil = (time: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, time - performance.now())));

/**
 * An open-model (constant arrival rate) load driver, corrected for coordinated omission: request i
 * is due at start + i / rate, whatever the server is doing; it is sent at once if fewer than
 * `connections` requests are in flight, otherwise as soon as one finishes; and its latency runs
 * from its due time, not its send time, to the last byte of the body. A server slower than the
 * offered rate therefore shows its queue in the latencies instead of slowing the driver down.
 *
 * One loop schedules: it sleeps until the next due time (or, with every connection busy, until an
 * answer arrives) and then sends every request whose time has come. Node timers wake it at most
 * once a millisecond, so above 1,000 req/s requests leave in small bursts up to about 1 ms after
 * their due time; that lateness, like any stall of the driver's event loop, counts in the latency.
 *
 * Requests due during `durationMs` are all sent and awaited; `rps` is answers over `durationMs`, or
 * over the time to the last answer when that is longer, so it falls short of `rate` when the
 * server cannot keep up.
 */
export async function driveOpen(options: OpenDriveOptions): Promise<DriveResult> {
  const connections = options.connections ?? DEFAULT_OPEN_CONNECTIONS;
  if (!(options.rate > 0) || !Number.isFinite(options.rate)) throw new Error(`driveOpen needs a positive rate, got ${options.rate}`);
  if (!Number.isInteger(connections) || connections < 1) throw new Error(`driveOpen needs at least 1 connection, got ${connections}`);
  const pool = new Http1Pool(options.origin, connections);
  const log = new RunLog();
  const total = Math.ceil((options.durationMs * options.rate) / 1000);
  const started = performance.now();
  const dueAt = (index: number) => started + (index * 1000) / options.rate;
  const dueBy = (time: number) => Math.min(total, Math.floor(((time - started) * options.rate) / 1000) + 1);
  let sent = 0;
  let inFlight = 0;
  let wakeOnAnswer: (() => void) | undefined;
  const inFlightRequests = new Set<Promise<void>>();

  const sendDue = (index: number) => {
    inFlight++;
    const request = options.next();
    const done = pool.request(request).then((ok) => {
      log.record(performance.now() - dueAt(index), ok);
      inFlight--;
      inFlightRequests.delete(done);
      wakeOnAnswer?.();
    });
    inFlightRequests.add(done);
  };
  const sendEveryDueRequest = () => {
    const due = dueBy(performance.now());
    while (sent < due && inFlight < connections) sendDue(sent++);
  };
  const answerArrived = () => new Promise<void>((resolve) => (wakeOnAnswer = resolve));

  while (sent < total) {
    sendEveryDueRequest();
    if (sent >= total) break;
    await (inFlight >= connections ? answerArrived() : sleepUntil(dueAt(sent)));
    wakeOnAnswer = undefined;
  }
  await Promise.all(inFlightRequests);
  log.addElapsed(Math.max(options.durationMs, performance.now() - started));
  pool.close();
  return log.summary();
}
