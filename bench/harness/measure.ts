import { LATENCY_LOAD_SHARE, SCENARIOS, type ScenarioName } from '../scenarios.js';
import { CpuTally, type CpuMeters } from './cpu-time.js';
import { drive, driveOpen, RunLog, type DriveResult, type DriverRequest } from './load-driver.js';
import type { HarnessOptions } from './options.js';
import type { Measurement, ServerTarget, Target } from './results.js';

/** What one scenario is driven with against one target. */
export interface Run {
  options: HarnessOptions;
  agents: number;
  scenario: ScenarioName;
  target: Target;
  origin: string;
  next: () => DriverRequest;
  /** The CPU time of the target's processes (and its Redis), read around each closed-loop round. */
  cpu: CpuMeters;
}

const log = (run: Run, mode: string, result: DriveResult) =>
  process.stderr.write(
    `${run.agents} ${run.scenario} ${run.target} ${mode}: ${result.rps.toFixed(0)} req/s p95 ${result.p95Ms.toFixed(2)} ms errors ${result.errors}\n`,
  );

/**
 * Closed loop (throughput): the scenario's connections, each sending as soon as its last answer is
 * read. After a warm-up of each, the runs take turns for `rounds` rounds of an equal share of the
 * duration; each run's rounds are summed into its measurement, with the CPU time its processes
 * spent in them.
 */
export async function measureClosed(runs: Run[], mode: 'closed' | 'growth' = 'closed'): Promise<Measurement[]> {
  const { options, scenario } = runs[0] as Run;
  const connections = SCENARIOS[scenario].connections;
  if (options.warmupSeconds > 0) {
    for (const { origin, next } of runs) await drive({ origin, connections, durationMs: options.warmupSeconds * 1000, next });
  }
  const logs = runs.map(() => new RunLog());
  const tallies = runs.map((run) => new CpuTally(run.cpu));
  const roundMs = (options.durationSeconds * 1000) / options.rounds;
  for (let round = 0; round < options.rounds; round++) {
    for (const [i, { origin, next }] of runs.entries()) {
      await (tallies[i] as CpuTally).during(() => drive({ origin, connections, durationMs: roundMs, next }, logs[i]));
    }
  }
  return runs.map((run, i) => {
    const result = (logs[i] as RunLog).summary();
    log(run, mode, result);
    const cpuPerRequestUs = (tallies[i] as CpuTally).perRequest(result.requests);
    return { agents: run.agents, scenario, target: run.target, mode, ...result, ...(cpuPerRequestUs ? { cpuPerRequestUs } : {}) };
  });
}

/** Open model (latency): requests due at `offeredRps`, at most the scenario's connections in flight, latency from the due time. */
async function measureOpen(run: Run, offeredRps: number): Promise<Measurement> {
  const { options, origin, next } = run;
  const connections = SCENARIOS[run.scenario].connections;
  if (options.warmupSeconds > 0) await driveOpen({ origin, rate: offeredRps, connections, durationMs: options.warmupSeconds * 1000, next });
  const result = await driveOpen({ origin, rate: offeredRps, connections, durationMs: options.durationSeconds * 1000, next });
  log(run, `open @ ${offeredRps.toFixed(0)} req/s`, result);
  return { agents: run.agents, scenario: run.scenario, target: run.target, mode: 'open', offeredRps, ...result };
}

/** Closed loop against all three targets; then, when the scenario has a p95 target, the open model against the registry and Express. */
export async function measureScenario(scenario: ScenarioName, runOf: (scenario: ScenarioName, target: ServerTarget) => Run, measurements: Measurement[]): Promise<void> {
  const closed = await measureClosed((['registry', 'express', 'node'] as const).map((target) => runOf(scenario, target)));
  measurements.push(...closed);
  if (SCENARIOS[scenario].targets.maxP95Ms === undefined) return;
  const offeredRps = LATENCY_LOAD_SHARE * (closed.find((m) => m.target === 'express') as Measurement).rps;
  for (const target of ['registry', 'express'] as const) measurements.push(await measureOpen(runOf(scenario, target), offeredRps));
}

