import { describe, expect, it } from 'vitest';
import { checkTargets } from '../../bench/harness/checks.js';
import { embeddedGrowthTable, embeddedTable, growthTable, isolationTable, slowlogTable, smallCardsTable } from '../../bench/harness/report.js';
import type { EmbeddedReport, IsolationReport, Measurement, RunResults, SizeReport, SlowlogReport } from '../../bench/harness/results.js';
import type { DriveResult } from '../../bench/harness/load-driver.js';

/** A run's results: none of anything but what a test gives. */
const results = (given: Partial<RunResults>): RunResults => ({ measurements: [], sizes: [], slowlogs: [], isolation: [], smallCards: [], embedded: [], ...given });

const measurement = (agents: number, mode: Measurement['mode'], p95Ms: number): Measurement => ({
  agents,
  scenario: 'get',
  target: 'registry',
  mode,
  requests: 100,
  errors: 0,
  rps: 1000,
  p50Ms: p95Ms / 2,
  p95Ms,
  p99Ms: p95Ms * 2,
});

const sizes: SizeReport[] = [1000, 100_000].map((agents) => ({ agents, memoryPerAgentBytes: 2000, cardJsonBytes: 1000, seedSeconds: 1 }));
const growthChecks = (measurements: Measurement[]) => checkTargets(results({ measurements, sizes })).filter((c) => c.what.includes('growth'));

describe('the growth target', () => {
  it('is judged on the measurements of both sizes in turns, not on the closed loops minutes apart', () => {
    const measurements = [measurement(1000, 'closed', 4), measurement(100_000, 'closed', 8), measurement(1000, 'growth', 5), measurement(100_000, 'growth', 6)];
    expect(growthChecks(measurements)).toEqual([{ what: 'get: p95 growth 1000 -> 100000', value: 1.2, limit: '<= 1.5', pass: true }]);
    expect(growthChecks([...measurements.slice(0, 3), measurement(100_000, 'growth', 8)])[0]?.pass).toBe(false);
  });

  it('is not judged without measurements in turns', () => {
    expect(growthChecks([measurement(1000, 'closed', 4), measurement(100_000, 'closed', 5)])).toEqual([]);
    expect(growthTable([measurement(1000, 'closed', 4)])).toBe('');
  });

  it('tables the measurements in turns', () => {
    const table = growthTable([measurement(1000, 'growth', 5), measurement(100_000, 'growth', 6)]);
    expect(table).toContain('| 1000 | get | 1000 | 2.50 | 5.00 | 10.00 | 0 |');
    expect(table).toContain('| 100000 | get | 1000 | 3.00 | 6.00 | 12.00 | 0 |');
  });
});

describe('the closed-loop p99 target', () => {
  it('judges the registry p99 of register against its limit in milliseconds', () => {
    const register = (p99Ms: number): Measurement => ({ ...measurement(1000, 'closed', 10), scenario: 'register', p99Ms });
    const p99Checks = (m: Measurement) => checkTargets(results({ measurements: [m], sizes })).filter((c) => c.what.includes('closed-loop p99'));
    expect(p99Checks(register(19))).toEqual([{ what: 'register @ 1000: closed-loop p99 ms', value: 19, limit: '<= 20', pass: true }]);
    expect(p99Checks(register(21))[0]?.pass).toBe(false);
  });
});

describe('the Redis memory target', () => {
  it('allows 3 times the card JSON below 1,000,000 agents and 2 times from there', () => {
    const memory = [100_000, 1_000_000].map((agents) => ({ agents, memoryPerAgentBytes: 2500, cardJsonBytes: 1000, seedSeconds: 1 }));
    const verdicts = checkTargets(results({ sizes: memory })).map((c) => [c.what, c.limit, c.pass]);
    expect(verdicts).toEqual([
      ['memory per agent / card JSON @ 100000', '<= 3', true],
      ['memory per agent / card JSON @ 1000000', '<= 2', false],
    ]);
  });
});

describe('the SLOWLOG target', () => {
  const slowlog = (agents: number, slowestMs: number): SlowlogReport => ({
    agents,
    scenario: 'search-two-broad',
    thresholdMs: 5,
    entries: slowestMs > 0 ? 3 : 0,
    slowestMs,
    ...(slowestMs > 0 ? { slowestCommand: 'EVALSHA' } : {}),
  });
  const slowlogChecks = (slowlogs: SlowlogReport[]) => checkTargets(results({ slowlogs }));

  it('is judged from 1,000,000 agents: no command of a search scenario logged', () => {
    expect(slowlogChecks([slowlog(100_000, 7.5)])).toEqual([]);
    expect(slowlogChecks([slowlog(1_000_000, 0)])).toEqual([
      { what: 'search-two-broad @ 1000000: slowest Redis command in SLOWLOG, ms (logged above 5 ms)', value: 0, limit: '<= 5', pass: true },
    ]);
    expect(slowlogChecks([slowlog(1_000_000, 7.5)])[0]?.pass).toBe(false);
  });

  it("reports registration's batches of saves without judging them", () => {
    const register = { ...slowlog(1_000_000, 7.5), scenario: 'register' as const };
    expect(slowlogChecks([register, { ...register, alone: { requests: 200, redisCpuPerRequestUs: 600, entries: 1, slowestMs: 6 } }])).toEqual([]);
    expect(slowlogTable([register])).toContain('| 1000000 | register | 3 | 7.50 | EVALSHA |');
    // SLOWLOG keeps at most slowlog-max-len entries: a full one says so.
    expect(slowlogTable([{ ...register, entries: 1024, entriesCapped: true }])).toContain('| 1000000 | register | ≥ 1024 | 7.50 | EVALSHA |');
  });

  it('fails when Redis logged only slower commands than the target asks about', () => {
    expect(slowlogChecks([{ ...slowlog(1_000_000, 0), thresholdMs: 10 }])[0]?.pass).toBe(false);
  });

  it('tables the entries and the slowest command of each scenario', () => {
    expect(slowlogTable([slowlog(1_000_000, 7.5)])).toContain('| 1000000 | search-two-broad | 3 | 7.50 | EVALSHA |');
  });
});

describe('the isolation target', () => {
  const latency = (p99Ms: number, errors = 0): DriveResult => ({ requests: 1000, errors, rps: 500, p50Ms: p99Ms / 4, p95Ms: p99Ms / 2, p99Ms });
  const isolation = (agents: number, loadedP99Ms: number): IsolationReport => ({
    agents,
    loadScenario: 'search-two-broad',
    loadConnections: 8,
    load: latency(20),
    probes: [{ scenario: 'get', offeredRps: 2000, quiet: latency(4), loaded: latency(loadedP99Ms) }],
  });
  const isolationChecks = (reports: IsolationReport[]) => checkTargets(results({ sizes, isolation: reports })).filter((c) => c.what.startsWith('isolation'));

  it('is judged at the largest agent count: the p99 beside the load within twice the quiet p99', () => {
    expect(isolationChecks([isolation(1000, 100), isolation(100_000, 7)])).toEqual([
      { what: 'isolation @ 100000: get beside search-two-broad × 8: errors', value: 0, limit: '= 0', pass: true },
      { what: 'isolation @ 100000: get beside search-two-broad × 8: p99 / quiet p99', value: 1.75, limit: '<= 2', pass: true },
    ]);
    expect(isolationChecks([isolation(100_000, 9)])[1]?.pass).toBe(false);
  });

  it('counts the errors of the load too', () => {
    expect(isolationChecks([{ ...isolation(100_000, 7), load: latency(20, 3) }])[0]).toMatchObject({ value: 3, pass: false });
  });

  it('tables each probe quiet and loaded, with the load', () => {
    expect(isolationTable([isolation(1000, 7)])).toContain('| 1000 | get | 2000 | 1.00 | 4.00 | 1.75 | 7.00 | 1.75 | 0 | search-two-broad × 8 | 500 |');
  });
});

describe('the memory targets of small cards and of the embedded registry', () => {
  const smallCards = (memoryPerAgentBytes: number): SizeReport => ({ agents: 1_000_000, memoryPerAgentBytes, cardJsonBytes: 650, seedSeconds: 200 });
  const embedded = (agents: number, memoryPerAgentBytes: number): EmbeddedReport => ({
    agents,
    memoryBeforeBytes: 20 * 2 ** 20,
    memoryAfterBytes: 20 * 2 ** 20 + agents * memoryPerAgentBytes,
    memoryPerAgentBytes,
    cardJsonBytes: 1000,
    seedSeconds: 30,
  });

  it('holds Redis memory per agent with ~650-byte cards to 3,300 bytes', () => {
    const checks = (bytes: number) => checkTargets(results({ smallCards: [smallCards(bytes)] }));
    expect(checks(3200)).toEqual([{ what: 'memory per agent with 650-byte cards @ 1000000, bytes', value: 3200, limit: '<= 3300', pass: true }]);
    expect(checks(3400)[0]?.pass).toBe(false);
    expect(smallCardsTable([smallCards(3200)])).toContain('| 1000000 | 3200 B | 650 B | 4.92 | 200.0 s |');
  });

  it('holds the embedded registry to 3 times the card JSON per agent at each of its counts', () => {
    const checks = checkTargets(results({ embedded: [embedded(10_000, 3500), embedded(100_000, 2500)] }));
    expect(checks.map((c) => [c.what, c.value, c.pass])).toEqual([
      ['embedded registry: memory per agent / card JSON @ 10000', 3.5, false],
      ['embedded registry: memory per agent / card JSON @ 100000', 2.5, true],
    ]);
    expect(embeddedTable([embedded(100_000, 2500)])).toContain('| 100000 | 20.0 MiB | 258.4 MiB | 2500 B | 1000 B | 2.50 | 30.0 s |');
  });

  it('judges the p95 growth of the embedded list pages and broadest search from its smallest to its largest count', () => {
    const turn = (agents: number, scenario: 'list' | 'search-all', p95Ms: number): Measurement => ({ ...measurement(agents, 'growth', p95Ms), scenario, target: 'embedded' });
    const measurements = [turn(10_000, 'list', 4), turn(100_000, 'list', 5), turn(10_000, 'search-all', 4), turn(100_000, 'search-all', 8)];
    const checks = checkTargets(results({ measurements, embedded: [embedded(10_000, 2000), embedded(100_000, 2000)] })).filter((c) => c.what.includes('growth'));
    expect(checks.map((c) => [c.what, c.value, c.pass])).toEqual([
      ['embedded registry: list: p95 growth 10000 -> 100000', 1.25, true],
      ['embedded registry: search-all: p95 growth 10000 -> 100000', 2, false],
    ]);
    expect(embeddedGrowthTable(measurements)).toContain('| 100000 | search-all | 1000 | 4.00 | 8.00 | 16.00 | 0 |');
    expect(growthTable(measurements)).toBe('');
  });
});
