import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ISOLATION, isSearchScenario, LATENCY_LOAD_SHARE, type ScenarioName, type SearchScenarioName } from '../scenarios.js';
import { driveOpen, type DriveResult } from './load-driver.js';
import { startScript } from './processes.js';
import { find, type IsolationReport, type Measurement } from './results.js';
import { requestsFor, type Workload } from './workload.js';

/** What the isolation scenario is measured with at one agent count. */
export interface IsolationRun {
  agents: number;
  origin: string;
  work: Workload;
  /** This run's closed-loop measurements so far: they set the probes' rates and choose the load. */
  measurements: Measurement[];
  durationSeconds: number;
  warmupSeconds: number;
  /** A directory for the load's paths. */
  dir: string;
}

/** The search the registry served slowest in the closed loop at this agent count: the most expensive shape. */
function mostExpensiveSearch(run: IsolationRun): SearchScenarioName {
  let slowest: { scenario: SearchScenarioName; rps: number } | undefined;
  for (const { agents, target, mode, scenario, rps } of run.measurements) {
    if (agents !== run.agents || target !== 'registry' || mode !== 'closed' || !isSearchScenario(scenario)) continue;
    if (!slowest || rps < slowest.rps) slowest = { scenario, rps };
  }
  if (!slowest) throw new Error(`The isolation scenario needs a search measured in the closed loop at ${run.agents} agents`);
  return slowest.scenario;
}

/** Each probe at its rate for the run's duration, after a warm-up, in turn. */
async function driveProbes(run: IsolationRun, rates: Map<ScenarioName, number>): Promise<Map<ScenarioName, DriveResult>> {
  const results = new Map<ScenarioName, DriveResult>();
  for (const [scenario, rate] of rates) {
    const next = requestsFor(scenario, run.work, () => 0);
    if (run.warmupSeconds > 0) await driveOpen({ origin: run.origin, rate, durationMs: run.warmupSeconds * 1000, next });
    results.set(scenario, await driveOpen({ origin: run.origin, rate, durationMs: run.durationSeconds * 1000, next }));
  }
  return results;
}

/**
 * The isolation scenario: each probe (GET of an agent, a rare-skill search) in the open model at
 * {@link LATENCY_LOAD_SHARE} × Express's closed-loop req/s, first with nothing else running, then
 * while {@link ISOLATION}'s closed-loop connections run the most expensive search shape from a
 * process of their own.
 */
export async function measureIsolation(run: IsolationRun): Promise<IsolationReport> {
  const rates = new Map<ScenarioName, number>();
  for (const probe of ISOLATION.probes) {
    const express = find(run.measurements, run.agents, probe, 'express');
    if (!express) throw new Error(`The isolation scenario needs ${probe} measured against Express at ${run.agents} agents`);
    rates.set(probe, LATENCY_LOAD_SHARE * express.rps);
  }
  const loadScenario = mostExpensiveSearch(run);
  const quiet = await driveProbes(run, rates);
  const pathsFile = join(run.dir, 'isolation-load.json');
  writeFileSync(pathsFile, JSON.stringify(run.work.searchPaths[loadScenario]));
  const load = await startScript('bench/harness/background-load.ts', [run.origin, String(ISOLATION.loadConnections), pathsFile]);
  await new Promise((resolve) => setTimeout(resolve, run.warmupSeconds * 1000));
  const loaded = await driveProbes({ ...run, warmupSeconds: 0 }, rates);
  const loadResult = JSON.parse(await load.stop()) as DriveResult;
  const report: IsolationReport = {
    agents: run.agents,
    loadScenario,
    loadConnections: ISOLATION.loadConnections,
    load: loadResult,
    probes: [...rates].map(([scenario, offeredRps]) => ({ scenario, offeredRps, quiet: quiet.get(scenario) as DriveResult, loaded: loaded.get(scenario) as DriveResult })),
  };
  for (const p of report.probes) {
    process.stderr.write(`${run.agents} isolation ${p.scenario} @ ${p.offeredRps.toFixed(0)} req/s: p99 quiet ${p.quiet.p99Ms.toFixed(2)} ms, beside ${loadScenario} ${p.loaded.p99Ms.toFixed(2)} ms\n`);
  }
  return report;
}
