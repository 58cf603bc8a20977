import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { AgentStore } from '../store/agent-store.js';

/** Agents handled per atomic step; a sweep repeats steps until nothing is due. */
const SWEEP_BATCH = 500;

export interface SweepOutcome extends Record<string, number> {
  expired: number;
  purged: number;
  /** Tombstones of deleted agents removed after their retention. */
  tombstonesRemoved: number;
}

/**
 * One expiry sweep: agents past their liveness deadline turn inactive, inactive agents past
 * their grace period are deleted, tombstones past their retention are removed. Each step reads only what is due, so the cost follows the
 * agents that expired, not all agents; a sweep cut short leaves the rest due for the next one.
 */
export class ExpirySweep {
  constructor(
    private readonly store: AgentStore,
    private readonly graceMs: number,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    /** How long tombstones of deleted agents are kept, in milliseconds. @defaultValue 30 days */
    private readonly tombstoneRetentionMs = 30 * 86_400_000,
  ) {}

  async run(now = new Date()): Promise<SweepOutcome> {
    const stopTimer = this.metrics.sweepDuration.startTimer();
    let expired = 0;
    let purged = 0;
    for (let batch = SWEEP_BATCH; batch === SWEEP_BATCH; ) {
      const ids = await this.store.expireDue(now, SWEEP_BATCH, this.graceMs);
      batch = ids.length;
      expired += batch;
    }
    for (let batch = SWEEP_BATCH; batch === SWEEP_BATCH; ) {
      const ids = await this.store.purgeDue(now, SWEEP_BATCH);
      batch = ids.length;
      purged += batch;
    }
    const retainedFrom = new Date(now.getTime() - this.tombstoneRetentionMs);
    let tombstonesRemoved = 0;
    for (let batch = SWEEP_BATCH; batch === SWEEP_BATCH; ) {
      batch = await this.store.sweepTombstones(retainedFrom, SWEEP_BATCH);
      tombstonesRemoved += batch;
    }
    stopTimer();
    this.metrics.expiries.inc({ stage: 'inactive' }, expired);
    this.metrics.expiries.inc({ stage: 'deleted' }, purged);
    if (expired + purged + tombstonesRemoved > 0) this.logger.info({ expired, purged, tombstonesRemoved }, 'Expiry sweep changed agents');
    return { expired, purged, tombstonesRemoved };
  }
}
