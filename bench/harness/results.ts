import type { ScenarioName, SearchScenarioName } from '../scenarios.js';
import type { CpuPerRequest } from './cpu-time.js';
import type { DriveResult } from './load-driver.js';

/** What a measurement drove: the registry on Redis, a baseline, or the registry on its embedded store. */
export type Target = 'registry' | 'express' | 'node' | 'embedded';

/** What each scenario is driven against at every agent count: the registry on Redis and the two baselines. */
export type ServerTarget = Exclude<Target, 'embedded'>;

/**
 * `closed`: the scenario's connections, each sending as soon as its last answer is read; measures
 * throughput (its latency is connections / throughput). `open`: requests due at a constant
 * `offeredRps`, latency from the due time; measures latency at that load. `growth`: closed loop
 * against the registry at the smallest and the largest agent count, both kept running until every
 * size is measured and then driven in turns, so the machine's drift falls on both sizes alike.
 */
export type DriveMode = 'closed' | 'open' | 'growth';

export interface Measurement extends DriveResult {
  agents: number;
  scenario: ScenarioName;
  target: Target;
  mode: DriveMode;
  /** The offered load of an `open` measurement, in req/s. */
  offeredRps?: number;
  /**
   * Of a closed-loop or growth measurement: the CPU time the target's own processes (and the
   * registry's Redis) spent a request; absent where process CPU time cannot be read (not Linux).
   */
  cpuPerRequestUs?: CpuPerRequest;
}

/** The Redis memory of one catalogue: the bench cards at one agent count, or the ~650-byte cards. */
export interface SizeReport {
  agents: number;
  /** Redis `used_memory` growth while seeding, divided by the agents seeded. */
  memoryPerAgentBytes: number;
  /** Mean length of the seeded cards' JSON. */
  cardJsonBytes: number;
  seedSeconds: number;
}

export interface TargetCheck {
  what: string;
  value: number;
  limit: string;
  pass: boolean;
}

/** Everything one run measured, as its report and target checks read it. */
export interface RunResults {
  measurements: Measurement[];
  sizes: SizeReport[];
  /** SLOWLOG after each search scenario and registration at each agent count. */
  slowlogs: SlowlogReport[];
  /** The isolation scenario at each agent count. */
  isolation: IsolationReport[];
  /** Redis memory with the ~650-byte cards, beside the largest count (none when not measured). */
  smallCards: SizeReport[];
  /** The embedded registry at each of its agent counts. */
  embedded: EmbeddedReport[];
}

/** The embedded registry (no REDIS_URL) at one agent count. */
export interface EmbeddedReport {
  agents: number;
  /** V8 heap used plus external memory after full garbage collections, before and after seeding. */
  memoryBeforeBytes: number;
  memoryAfterBytes: number;
  /** Their difference divided by the agents seeded. */
  memoryPerAgentBytes: number;
  /** Mean length of the seeded cards' JSON. */
  cardJsonBytes: number;
  /** Seeding over HTTP. */
  seedSeconds: number;
}

/** What Redis's SLOWLOG held after one scenario at one agent count. */
export interface SlowlogReport {
  agents: number;
  scenario: ScenarioName;
  /** Redis's `slowlog-log-slower-than`, in ms; NaN when Redis would not say. */
  thresholdMs: number;
  /** Commands logged (at most `slowlog-max-len`). */
  entries: number;
  /** Set when `entries` reached `slowlog-max-len`: Redis dropped the oldest, and more were slow. */
  entriesCapped?: true;
  /** Duration of the slowest command logged, in ms; 0 when none was. */
  slowestMs: number;
  /** Name of the slowest command logged (EVALSHA, HMGET, ...). */
  slowestCommand?: string;
  /** The same scenario's requests sent again one at a time, nothing else running. */
  alone?: SlowlogAlone;
}

/**
 * A scenario's requests sent again one at a time after it, with nothing else running: what
 * its Redis commands cost when Redis is not waiting for the two cores the load shares with it.
 */
export interface SlowlogAlone {
  requests: number;
  /** Redis's CPU time (user and system) per request, in µs: the scripts and the record reads. */
  redisCpuPerRequestUs: number;
  /** Commands logged while they ran, and the slowest, in ms (0 when none was). */
  entries: number;
  slowestMs: number;
}

/** One probe of the isolation scenario: its latency at the same offered load, alone and beside the expensive searches. */
export interface IsolationProbe {
  scenario: ScenarioName;
  offeredRps: number;
  quiet: DriveResult;
  loaded: DriveResult;
}

/** The isolation scenario at one agent count. */
export interface IsolationReport {
  agents: number;
  /** The search shape of the load: the one the registry served slowest in the closed loop at this count. */
  loadScenario: SearchScenarioName;
  loadConnections: number;
  /** The load itself, over the time it ran. */
  load: DriveResult;
  probes: IsolationProbe[];
}

export function find(measurements: Measurement[], agents: number, scenario: ScenarioName, target: Target, mode: DriveMode = 'closed') {
  return measurements.find((m) => m.agents === agents && m.scenario === scenario && m.target === target && m.mode === mode);
}

