import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Logger } from '../logger.js';
/** One sweep: expiries, card refreshes; resolves with counts for the log. */
export type Sweep = () => Promise<Record<string, number>>;

/** Runs the sweep periodically until stopped. */
export interface SweepScheduler {
  start(): Promise<void>;
  /** Jobs by state, for metrics; empty where there is no queue. */
  jobCounts(): Promise<Record<string, number>>;
  /** Lets a running sweep finish, then stops. */
  stop(): Promise<void>;
}

const QUEUE_NAME = 'expiry-sweep';
const SCHEDULER_ID = 'expiry-sweep-every';
/** A worker that dies mid-sweep is noticed, and its sweep run again, within about twice this. */
const JOB_LOCK_MS = 5000;

export interface BullSweepOptions {
  connection: ConnectionOptions;
  /** BullMQ key prefix; carries the registry's hash tag so the queue lives in the same slot. */
  prefix: string;
  intervalMs: number;
  sweep: Sweep;
  logger: Logger;
}

/**
 * The worker role's sweep: a BullMQ job scheduler adds one job per interval, and the queue's
 * global concurrency of 1 lets exactly one sweep run at a time across every worker process.
 * A worker that dies mid-sweep loses its job lock; BullMQ hands the stalled job to another.
 */
export function bullSweepScheduler(options: BullSweepOptions): SweepScheduler {
  const { connection, prefix, intervalMs, sweep, logger } = options;
  let queue: Queue | undefined;
  let worker: Worker | undefined;
  return {
    async start() {
      queue = new Queue(QUEUE_NAME, { connection, prefix });
      queue.on('error', (error) => logger.warn({ err: error }, 'Sweep queue error'));
      await queue.setGlobalConcurrency(1);
      await queue.upsertJobScheduler(SCHEDULER_ID, { every: intervalMs }, { name: 'sweep', opts: { removeOnComplete: 100, removeOnFail: 100 } });
      worker = new Worker(
        QUEUE_NAME,
        async (job) => {
          const startedAt = Date.now();
          const outcome = await sweep();
          logger.info({ jobId: job.id, startedAt, finishedAt: Date.now(), ...outcome }, 'sweep finished');
          return outcome;
        },
        { connection, prefix, concurrency: 1, lockDuration: JOB_LOCK_MS, stalledInterval: JOB_LOCK_MS, maxStalledCount: 5 },
      );
      worker.on('error', (error) => logger.warn({ err: error }, 'Sweep worker error'));
      worker.on('failed', (job, error) => logger.warn({ err: error, jobId: job?.id }, 'Sweep failed; the next one picks up'));
    },
    async jobCounts() {
      return queue ? queue.getJobCounts('active', 'waiting', 'delayed', 'completed', 'failed') : {};
    },
    async stop() {
      await worker?.close();
      await queue?.close();
    },
  };
}

/** The embedded single-process sweep: a timer, never overlapping itself. */
export function timerSweepScheduler(intervalMs: number, sweep: Sweep, logger: Logger): SweepScheduler {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  return {
    async start() {
      timer = setInterval(() => {
        if (busy) return;
        busy = true;
        running = sweep()
          .catch((error: unknown) => logger.warn({ err: error }, 'Sweep failed; the next one picks up'))
          .finally(() => (busy = false));
      }, intervalMs);
      timer.unref();
    },
    async jobCounts() {
      return {};
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
