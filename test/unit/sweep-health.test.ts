import { describe, expect, it } from 'vitest';
import { MemorySweepClock, SweepHealth, type SweepClock } from '../../src/worker/sweep-health.js';

const INTERVAL = 1000;
const START = 1_000_000;
const sweep = async () => ({ expired: 0 });

/** A shared clock whose value can be lost (Redis restarted empty) or unreadable (Redis down). */
class FlakyClock implements SweepClock {
  value: number | undefined;
  down = false;
  async record(atMs: number): Promise<void> {
    this.value = atMs;
  }
  async read(): Promise<number | undefined> {
    if (this.down) throw new Error('Redis is down');
    return this.value;
  }
}

describe('sweep health', () => {
  it('is fresh during a start-up grace of 3 intervals with no sweep at all, and stale after it', async () => {
    const health = new SweepHealth(new MemorySweepClock(), INTERVAL, START);
    expect(await health.isFresh(START + 3 * INTERVAL)).toBe(true);
    expect(await health.isFresh(START + 3 * INTERVAL + 1)).toBe(false);
  });

  it('counts 3 intervals from the last sweep any process recorded, not only its own', async () => {
    const clock = new MemorySweepClock();
    const idle = new SweepHealth(clock, INTERVAL, START);
    await clock.record(START + 10 * INTERVAL);
    expect(await idle.isFresh(START + 13 * INTERVAL)).toBe(true);
    expect(await idle.isFresh(START + 13 * INTERVAL + 1)).toBe(false);
    expect(await idle.lastSuccess()).toBe(START + 10 * INTERVAL);
  });

  it('records the time each tracked sweep completes, and nothing for a sweep that failed', async () => {
    const clock = new MemorySweepClock();
    const health = new SweepHealth(clock, INTERVAL, START);
    const before = Date.now();
    await health.track(sweep)();
    expect(await clock.read()).toBeGreaterThanOrEqual(before);
    const recorded = await clock.read();
    await expect(health.track(() => Promise.reject(new Error('Redis is down')))()).rejects.toThrow();
    expect(await clock.read()).toBe(recorded);
  });

  it('keeps the latest time it saw when the shared one is lost or unreadable', async () => {
    const clock = new FlakyClock();
    const health = new SweepHealth(clock, INTERVAL, START);
    clock.value = START + 10 * INTERVAL;
    expect(await health.lastSuccess()).toBe(START + 10 * INTERVAL);
    clock.value = undefined;
    expect(await health.lastSuccess()).toBe(START + 10 * INTERVAL);
    clock.down = true;
    expect(await health.isFresh(START + 12 * INTERVAL)).toBe(true);
    expect(await health.isFresh(START + 14 * INTERVAL)).toBe(false);
  });
});
