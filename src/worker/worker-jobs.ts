import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { bullSweepScheduler, timerSweepScheduler, type Sweep, type SweepScheduler } from './job-scheduler.js';

export interface WorkerJobsOptions {
  /** BullMQ's connection (`maxRetriesPerRequest: null`); absent with the embedded store, where timers run both. */
  connection?: Redis;
  /** BullMQ key prefix, with the registry's hash tag. */
  prefix: string;
  /** Period of both the expiry sweep and the check for due card refreshes. */
  intervalMs: number;
  /** One expiry sweep: due agents turn inactive, long-inactive ones are deleted. */
  expiry: Sweep;
  /** One card refresh: due cards registered by URL are fetched again. */
  refresh: Sweep;
  /** One probe run (src/probes/): due agents are probed within the budget; absent: probes are off. */
  probe?: Sweep;
  logger: Logger;
}

/**
 * The worker role's periodic jobs: the expiry sweep, the card refresh and (when on) the probes, each with a schedule,
 * queue and lock of its own. A refresh waits on other people's servers (up to the outbound
 * timeouts, for each source); run in the same job it added those waits to every expiry, so they
 * are apart: an expiry sweep never waits for a refresh. Metrics count the expiry queue's jobs.
 */
export function workerJobs(options: WorkerJobsOptions): SweepScheduler {
  const { connection, prefix, intervalMs, expiry, refresh, probe, logger } = options;
  // Shutdown waits for an expiry sweep (short, and worth finishing), not for a refresh: its sources stay due.
  const [expiries, refreshes] = connection
    ? [
        bullSweepScheduler({ connection, prefix, name: 'expiry-sweep', intervalMs, sweep: expiry, finishedMessage: 'sweep finished', logger }),
        bullSweepScheduler({
          connection,
          prefix,
          name: 'card-refresh',
          intervalMs,
          sweep: refresh,
          finishedMessage: 'card refresh finished',
          finishOnStop: false,
          logger,
        }),
      ]
    : [timerSweepScheduler(intervalMs, expiry, logger), timerSweepScheduler(intervalMs, refresh, logger, false)];
  // Probes wait on other people's servers too, so they have a queue of their own; its global
  // concurrency of 1 keeps the probe budget one budget however many workers run.
  const probes =
    probe &&
    (connection
      ? bullSweepScheduler({ connection, prefix, name: 'probes', intervalMs, sweep: probe, finishedMessage: 'probe run finished', finishOnStop: false, logger })
      : timerSweepScheduler(intervalMs, probe, logger, false));
  return {
    async start() {
      await expiries.start();
      await refreshes.start();
      await probes?.start();
    },
    jobCounts: () => expiries.jobCounts(),
    async stop() {
      await Promise.all([expiries.stop(), refreshes.stop(), probes?.stop()]);
    },
  };
}
