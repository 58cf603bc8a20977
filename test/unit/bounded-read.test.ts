import { describe, expect, it } from 'vitest';
import { boundedRead } from '../../src/metrics/bounded-read.js';

describe('a scrape-time read', () => {
  it('answers undefined within its bound when the read hangs, and joins the read in flight instead of starting another', async () => {
    let reads = 0;
    const read = boundedRead(() => {
      reads++;
      return new Promise<number>(() => {});
    }, 50);
    const started = performance.now();
    expect(await read()).toBeUndefined();
    expect(await read()).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(500);
    expect(reads).toBe(1);
  });

  it('answers the value when it comes in time, and reads anew next time', async () => {
    let reads = 0;
    const read = boundedRead(async () => ++reads, 50);
    expect(await read()).toBe(1);
    expect(await read()).toBe(2);
  });

  it('answers undefined when the read fails', async () => {
    const read = boundedRead(() => Promise.reject(new Error('down')), 50);
    expect(await read()).toBeUndefined();
  });
});
