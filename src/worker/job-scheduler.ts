import { ErrorCode, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { UnavailableError } from '../errors.js';
import type { Logger } from '../logger.js';
import { isConnectionError } from '../store/redis-health.js';
/** One periodic run (an expiry sweep, a card refresh); resolves with counts for the log. */
export type Sweep = () => Promise<Record<string, number>>;

/** Runs a sweep periodically until stopped. */
export interface SweepScheduler {
  start(): Promise<void>;
  /** Jobs by state, for metrics; empty where there is no queue. */
  jobCounts(): Promise<Record<string, number>>;
  /** Lets a running sweep finish, then stops. */
  stop(): Promise<void>;
}

/** A worker that dies mid-sweep is noticed, and its sweep run again, within about twice this. */
const JOB_LOCK_MS = 5000;

/** Consecutive interval checks that must find a job due and none running before the worker is started again. */
const STUCK_CHECKS = 3;

/**
 * Whether a job is due and none runs: one waits, or the next delayed one is more than an interval
 * late (workers move delayed jobs on as they ask for work, so a wedged worker leaves them late).
 */
export async function dueButIdle(queue: Queue, intervalMs: number): Promise<boolean> {
  const counts = await queue.getJobCounts('active', 'wait', 'prioritized');
  if (counts.active) return false;
  if (counts.wait || counts.prioritized) return true;
  const [next] = await queue.getDelayed(0, 0);
  return next !== undefined && next.timestamp + next.delay < Date.now() - intervalMs;
}

/**
 * Whether BullMQ could not record a run's end because the job's key was gone: Redis lost its data
 * (or the key was deleted) while the sweep ran. That loss is logged once on its own (the data set
 * epoch), and a sweep is safe to run again, so this is not a warning.
 */
function isJobGone(error: Error): boolean {
  return (error as Error & { code?: unknown }).code === ErrorCode.JobNotExist;
}

export interface BullSweepOptions {
  /**
   * The queue's connection (`maxRetriesPerRequest: null`); each of its `ready` events, like every
   * interval, checks that the schedule is still in Redis.
   */
  connection: Redis;
  /** BullMQ key prefix; carries the registry's hash tag so the queue lives in the same slot. */
  prefix: string;
  /** Name of the queue; its job scheduler is `${name}-every`. */
  name: string;
  /** Period of the job scheduler, and of the check that it still exists. */
  intervalMs: number;
  sweep: Sweep;
  /** The message of the log line each finished run writes. */
  finishedMessage: string;
  /**
   * Whether `stop()` waits for a running sweep; when not, BullMQ gives the cut job to another
   * worker once its lock runs out. @defaultValue true
   */
  finishOnStop?: boolean;
  logger: Logger;
}

/**
 * A sweep run by BullMQ: a job scheduler adds one job per interval, and the queue's global
 * concurrency of 1 lets exactly one run at a time across every worker process. A worker that dies
 * mid-run loses its job lock; BullMQ hands the stalled job to another.
 *
 * The schedule and the concurrency limit live only in Redis, so a Redis that lost its data (a
 * restart without persistence, a failover to an empty replica) would silently end the sweeps. Each
 * worker therefore checks both on every reconnection and every interval and writes back what is
 * missing; two workers doing so at once create one scheduler (its id is fixed) and one next job
 * (BullMQ derives the job id from the scheduler and the run time, and replaces it on upsert).
 */
export function bullSweepScheduler(options: BullSweepOptions): SweepScheduler {
  const { connection, prefix, name, intervalMs, sweep, finishedMessage, finishOnStop = true, logger } = options;
  const schedulerId = `${name}-every`;
  let queue: Queue | undefined;
  let worker: Worker | undefined;
  let timer: NodeJS.Timeout | undefined;
  let checking: Promise<void> | undefined;
  let written = false;

  /** At start-up the schedule is always written, so that a changed interval takes effect; later only when missing. */
  const ensureSchedule = (): Promise<void> => {
    // One check at a time: while Redis is away the commands wait, and checks must not pile up behind them.
    checking ??= (async () => {
      if (!queue) return;
      await queue.setGlobalConcurrency(1);
      if (written && (await queue.getJobScheduler(schedulerId))) return;
      await queue.upsertJobScheduler(schedulerId, { every: intervalMs }, { name, opts: { removeOnComplete: 100, removeOnFail: 100 } });
      if (written) logger.warn({ queue: name }, 'The sweep schedule was missing from Redis (did it lose its data?); created it again');
      written = true;
    })()
      .catch((error: unknown) => logger.warn({ err: error, queue: name }, 'Could not check the sweep schedule; trying again'))
      .finally(() => (checking = undefined));
    return checking;
  };
  const onReady = () => void ensureSchedule();

  const createWorker = () => {
    const created = new Worker(
      name,
      async (job) => {
        const startedAt = Date.now();
        const outcome = await sweep();
        logger.info({ jobId: job.id, startedAt, finishedAt: Date.now(), ...outcome }, finishedMessage);
        return outcome;
      },
      { connection, prefix, concurrency: 1, lockDuration: JOB_LOCK_MS, stalledInterval: JOB_LOCK_MS, maxStalledCount: 5 },
    );
    created.on('error', (error) => {
      if (isConnectionError(error)) return;
      if (isJobGone(error)) {
        logger.info({ reason: error.message, queue: name }, 'A sweep job was gone from Redis when its run ended (did Redis lose its data?); the schedule brings the next one');
        return;
      }
      logger.warn({ err: error, queue: name }, 'Sweep worker error');
    });
    created.on('failed', (job, error) => {
      // A sweep that found Redis away belongs to the outage, which is logged once (RedisHealth).
      const level = error instanceof UnavailableError ? 'debug' : 'warn';
      logger[level]({ err: error, jobId: job?.id, queue: name }, 'Sweep failed; the next one picks up');
    });
    return created;
  };

  /**
   * BullMQ's worker can stay wedged after a failover (its blocking connection, a duplicate of the
   * queue's, may never come back) while jobs fall due and none runs. When several checks in a row
   * see that, this process's worker is started again; a live worker anywhere would have run them.
   */
  let stuckChecks = 0;
  let reviving = false;
  const reviveIfStuck = async () => {
    if (!queue || !worker || reviving) return;
    reviving = true;
    try {
      stuckChecks = (await dueButIdle(queue, intervalMs)) ? stuckChecks + 1 : 0;
      if (stuckChecks < STUCK_CHECKS) return;
      stuckChecks = 0;
      logger.warn({ queue: name }, 'Sweep jobs are due and none runs (a worker stuck after a failover?); starting the worker again');
      const stuck = worker;
      worker = createWorker();
      await stuck.close(true);
    } catch {
      stuckChecks = 0;
    } finally {
      reviving = false;
    }
  };

  return {
    async start() {
      queue = new Queue(name, { connection, prefix });
      // Unreachable Redis is logged once per outage elsewhere; BullMQ repeats it at every reconnection attempt.
      queue.on('error', (error) => isConnectionError(error) || logger.warn({ err: error, queue: name }, 'Sweep queue error'));
      connection.on('ready', onReady);
      timer = setInterval(() => {
        onReady();
        void reviveIfStuck();
      }, intervalMs);
      timer.unref();
      // Not awaited: with Redis away at start-up the check waits for it, and the next ones retry anyway.
      void ensureSchedule();
      worker = createWorker();
    },
    async jobCounts() {
      return queue ? queue.getJobCounts('active', 'waiting', 'delayed', 'completed', 'failed') : {};
    },
    async stop() {
      clearInterval(timer);
      connection.off('ready', onReady);
      // A graceful close waits for BullMQ's blocking connection to end, which never happens while
      // Redis is unreachable; no sweep can finish then anyway, so the worker closes at once.
      await worker?.close(!finishOnStop || connection.status !== 'ready');
      await queue?.close();
    },
  };
}

/**
 * The embedded single-process sweep: a timer, never overlapping itself. `finishOnStop`: whether
 * `stop()` waits for a running sweep (@defaultValue true).
 */
export function timerSweepScheduler(intervalMs: number, sweep: Sweep, logger: Logger, finishOnStop = true): SweepScheduler {
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
      if (finishOnStop) await running;
    },
  };
}
