import { Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { dueButIdle } from '../../src/worker/job-scheduler.js';
import { connect, deleteKeys, redisUrl, uniquePrefix } from '../helpers/redis.js';

/** The check that restarts a wedged sweep worker: jobs due and none running, seen against a real Redis. */
describe('dueButIdle', () => {
  const prefix = uniquePrefix();
  const redis = connect();
  const queue = new Queue('stuck-check', { connection: { url: redisUrl() }, prefix: `${prefix}bull` });

  afterAll(async () => {
    await queue.close();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('is false while no job is due', async () => {
    expect(await dueButIdle(queue, 100)).toBe(false);
    await queue.add('later', {}, { delay: 60_000 });
    expect(await dueButIdle(queue, 100)).toBe(false);
  });

  it('is true once a delayed job is more than an interval late and no worker moved it on', async () => {
    await queue.add('soon', {}, { delay: 1 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await dueButIdle(queue, 100)).toBe(true);
  });

  it('is true while a job waits and none runs', async () => {
    await queue.add('now', {});
    expect(await dueButIdle(queue, 60_000)).toBe(true);
  });
});
