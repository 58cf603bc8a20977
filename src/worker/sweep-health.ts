import type { Redis } from 'ioredis';
import type { Sweep } from './job-scheduler.js';

/** Intervals without a completed expiry sweep after which it counts as stalled; also the start-up grace. */
export const STALE_SWEEP_INTERVALS = 3;

/** Where the time of the last completed expiry sweep is kept. */
export interface SweepClock {
  /** Records that a sweep completed at `atMs` (Unix milliseconds). */
  record(atMs: number): Promise<void>;
  /** The last recorded time, if any. */
  read(): Promise<number | undefined>;
}

/** The embedded store's clock: one process runs every sweep, so its memory is the whole truth. */
export class MemorySweepClock implements SweepClock {
  private last: number | undefined;
  async record(atMs: number): Promise<void> {
    this.last = Math.max(this.last ?? 0, atMs);
  }
  async read(): Promise<number | undefined> {
    return this.last;
  }
}

/**
 * The clock shared by every worker on one Redis: only one of them runs each sweep (BullMQ hands
 * each job to one worker, seemingly at random), so a per-process time would let an idle worker
 * look stalled while the sweeps run fine elsewhere. Whoever completes a sweep writes the time; all
 * read it. Times come from each writer's own clock, which is fine for a rule counted in intervals
 * as long as the machines' clocks agree to within a second or so (NTP).
 */
export class RedisSweepClock implements SweepClock {
  /** `redis`: a command connection with a bounded timeout, since readiness probes read it. */
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
  ) {}
  async record(atMs: number): Promise<void> {
    await this.redis.set(this.key, String(atMs));
  }
  async read(): Promise<number | undefined> {
    const value = await this.redis.get(this.key);
    return value === null ? undefined : Number(value);
  }
}

/**
 * Whether expiry sweeps still complete: fresh while one completed within the last
 * {@link STALE_SWEEP_INTERVALS} intervals, or the process started less than that long ago.
 */
export class SweepHealth {
  /** The latest time this process has seen: kept when the shared value is unreadable, or lost with Redis's data. */
  private seen: number | undefined;

  constructor(
    private readonly clock: SweepClock,
    private readonly intervalMs: number,
    private readonly startedAt = Date.now(),
  ) {}

  /** `sweep`, recording the time each run completes. */
  track(sweep: Sweep): Sweep {
    return async () => {
      const outcome = await sweep();
      const now = Date.now();
      this.seen = Math.max(this.seen ?? 0, now);
      await this.clock.record(now);
      return outcome;
    };
  }

  /** Unix milliseconds of the last completed sweep anyone recorded, if known. */
  async lastSuccess(): Promise<number | undefined> {
    const shared = await this.clock.read().catch(() => undefined);
    if (shared !== undefined) this.seen = Math.max(this.seen ?? 0, shared);
    return this.seen;
  }

  async isFresh(now = Date.now()): Promise<boolean> {
    const since = Math.max((await this.lastSuccess()) ?? 0, this.startedAt);
    return now - since <= STALE_SWEEP_INTERVALS * this.intervalMs;
  }
}
