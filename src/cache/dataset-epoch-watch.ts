import type { Logger } from '../logger.js';

/** How often a replica asks Redis for the data set's epoch besides each reconnection, in milliseconds. */
export const EPOCH_CHECK_INTERVAL_MS = 1000;

export interface DatasetEpochWatchOptions {
  /** The epoch Redis holds now (written first if missing). */
  readEpoch(): Promise<string>;
  /** Drops everything the replica remembers of the data set. */
  onLost(): void;
  logger: Logger;
  /** @defaultValue {@link EPOCH_CHECK_INTERVAL_MS} */
  intervalMs?: number;
}

/**
 * Notices that Redis lost its data: a restart without persistence or a failover to an empty
 * replica drops the connection, but FLUSHALL does not, and revisions and agent numbers then begin
 * again from 1, so a remembered record could pass for a newer one. The epoch is read at every
 * check; when it is not the one seen before, the replica's caches are dropped at once.
 */
export class DatasetEpochWatch {
  private seen: string | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly options: DatasetEpochWatchOptions) {
    this.timer = setInterval(() => void this.check(), options.intervalMs ?? EPOCH_CHECK_INTERVAL_MS);
    this.timer.unref();
  }

  /** Reads the epoch; an unreachable Redis is no news (the connection's own handling covers it). */
  async check(): Promise<void> {
    const epoch = await this.options.readEpoch().catch(() => undefined);
    if (epoch === undefined) return;
    if (this.seen !== undefined && epoch !== this.seen) {
      this.options.logger.warn({ was: this.seen, now: epoch }, 'Redis lost its data (the data set epoch changed): this replica dropped its caches');
      this.options.onLost();
    }
    this.seen = epoch;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
