import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CpuTally, processCpuUs, processesCpuUs } from '../../bench/harness/cpu-time.js';
import { cpuTable } from '../../bench/harness/report.js';
import type { Measurement } from '../../bench/harness/results.js';

/** Spins for about `ms` of this process's CPU time. */
function spin(ms: number): void {
  const until = process.cpuUsage().user + ms * 1000;
  while (process.cpuUsage().user < until);
}

describe('a process CPU time read from /proc', () => {
  it.runIf(process.platform === 'linux')('grows with the work this process does, in µs', () => {
    const before = processCpuUs(process.pid) as number;
    spin(60);
    const spent = (processCpuUs(process.pid) as number) - before;
    // /proc counts in hundredths of a second.
    expect(spent).toBeGreaterThanOrEqual(40_000);
    expect(spent).toBeLessThan(2_000_000);
  });

  it('is unknown for a process that is gone, and so is a sum that includes one', () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid as number;
    expect(processCpuUs(gone)).toBeUndefined();
    expect(processesCpuUs(() => [process.pid, gone])()).toBeUndefined();
    expect(processesCpuUs(() => [process.pid, undefined])()).toBeUndefined();
  });
});

describe('the CPU time tally of a closed loop', () => {
  /** Meters that read the next of the given values at each call. */
  const readings = (values: number[]) => () => values.shift() as number;

  it('sums each source over the rounds only, and divides by the requests', async () => {
    const server = readings([100, 400, 1_000, 1_300]);
    const redis = readings([50, 250, 5_000, 5_100]);
    const tally = new CpuTally({ server, redis: async () => redis() });
    await tally.during(async () => {});
    await tally.during(async () => {});
    expect(tally.perRequest(4)).toEqual({ server: 150, redis: 75 });
  });

  it('reports no Redis for a server without one, and nothing when a reading is missing or nothing was answered', async () => {
    const alone = new CpuTally({ server: readings([0, 90]) });
    await alone.during(async () => {});
    expect(alone.perRequest(3)).toEqual({ server: 30 });
    expect(alone.perRequest(0)).toBeUndefined();
    const gone = readings([0]);
    const unknown = new CpuTally({ server: () => (gone() === 0 ? 0 : undefined) });
    await unknown.during(async () => {});
    expect(unknown.perRequest(3)).toBeUndefined();
  });
});

describe('the CPU time table', () => {
  const closed = (target: Measurement['target'], cpuPerRequestUs?: Measurement['cpuPerRequestUs']): Measurement => ({
    agents: 1000,
    scenario: 'register',
    target,
    mode: 'closed',
    requests: 100,
    errors: 0,
    rps: 1000,
    p50Ms: 1,
    p95Ms: 2,
    p99Ms: 3,
    ...(cpuPerRequestUs ? { cpuPerRequestUs } : {}),
  });

  it('puts the registry, its Redis, their sum and each baseline on one row', () => {
    const table = cpuTable([closed('registry', { server: 600.4, redis: 500.2 }), closed('express', { server: 190 }), closed('node', { server: 40 })]);
    expect(table.split('\n').at(-1)).toBe('| 1000 | register | 600 | 500 | 1101 | 190 | 40 |');
  });

  it('is left out when no CPU time could be read', () => {
    expect(cpuTable([closed('registry'), closed('express')])).toBe('');
  });
});
