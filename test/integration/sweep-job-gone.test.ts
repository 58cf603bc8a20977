import { Redis } from 'ioredis';
import { levels } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { bullSweepScheduler, type SweepScheduler } from '../../src/worker/job-scheduler.js';
import { capturingLogger } from '../helpers/logs.js';
import { waitFor } from '../helpers/processes.js';
import { connect, deleteKeys, redisUrl, uniquePrefix } from '../helpers/redis.js';

interface LogLine {
  level: number;
  msg: string;
}

/**
 * A sweep whose job vanishes from Redis while it runs, as when Redis restarts empty mid-sweep:
 * BullMQ cannot record the run's end. That is the data loss's consequence, logged as such, not a
 * warning of its own, and the sweeps go on.
 */
describe('a sweep whose job is gone from Redis when its run ends', () => {
  const prefix = uniquePrefix();
  const redis = connect();
  const connection = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  const lines: LogLine[] = [];
  const logger = capturingLogger(lines);
  let scheduler: SweepScheduler | undefined;

  afterAll(async () => {
    await scheduler?.stop();
    await deleteKeys(redis, prefix);
    connection.disconnect();
    redis.disconnect();
  });

  it('logs at info what happened, warns of nothing but the missing schedule, and the next sweep runs', async () => {
    let runs = 0;
    let release: () => void = () => undefined;
    const firstHeld = new Promise<void>((resolve) => (release = resolve));
    scheduler = bullSweepScheduler({
      connection,
      prefix: `${prefix}bull`,
      name: 'gone',
      intervalMs: 200,
      sweep: async () => {
        runs += 1;
        if (runs === 1) await firstHeld;
        return { runs };
      },
      finishedMessage: 'sweep finished',
      logger,
    });
    await scheduler.start();
    await waitFor('the first run to start', 10_000, () => runs === 1);

    await deleteKeys(redis, prefix);
    release();
    await waitFor('the next run to finish', 10_000, () => lines.filter((line) => line.msg === 'sweep finished').length >= 2);

    const gone = lines.filter((line) => line.msg.startsWith('A sweep job was gone from Redis'));
    expect(gone.length).toBeGreaterThanOrEqual(1);
    expect(gone.every((line) => line.level === levels.values.info)).toBe(true);
    const warnings = lines.filter((line) => line.level >= levels.values.warn!).map((line) => line.msg);
    expect(new Set(warnings)).toEqual(new Set(['The sweep schedule was missing from Redis (did it lose its data?); created it again']));
  });
});
