import { describe, expect, it } from 'vitest';
import { raceDeadline } from '../../src/deadline.js';

describe('raceDeadline', () => {
  it("answers the work's outcome when it settles in time", async () => {
    await expect(raceDeadline(Promise.resolve('done'), 1000, () => 'late')).resolves.toBe('done');
    await expect(raceDeadline(Promise.reject(new Error('failed')), 1000, () => 'late')).rejects.toThrow('failed');
  });

  it('answers what `late` answers, or throws, once the time is up', async () => {
    const never = new Promise<string>(() => {});
    await expect(raceDeadline(never, 20, () => 'late')).resolves.toBe('late');
    await expect(
      raceDeadline(never, 20, () => {
        throw new Error('too late');
      }),
    ).rejects.toThrow('too late');
  });
});
