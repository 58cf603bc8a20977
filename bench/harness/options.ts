import { parseArgs } from 'node:util';
import { ISOLATION, SCENARIOS, type ScenarioName } from '../scenarios.js';

/** The name that asks `--scenarios` for the isolation scenario. */
const ISOLATION_SCENARIO = 'isolation';
/** Largest catalogue the embedded registry is measured at by default: it is seeded over HTTP. */
const EMBEDDED_AGENTS_CAP = 100_000;

export interface HarnessOptions {
  /** Agent counts to run at; growth is compared between the smallest and the largest. */
  agentCounts: number[];
  replicas: number;
  /** Seconds each scenario is driven against each target. */
  durationSeconds: number;
  /** Seconds of unmeasured load before each measurement (warms caches and connections). */
  warmupSeconds: number;
  /**
   * Closed-loop measurements take turns between the registry and the baselines in this many
   * rounds of `durationSeconds / rounds` each, so the machine's drift in speed falls on all of
   * them alike. Default 3.
   */
  rounds: number;
  scenarios: ScenarioName[];
  /**
   * Measure the isolation scenario at every agent count: `isolation` among `--scenarios` (it is
   * in the default list). Needs `get` and `search-rare-skill`, whose Express req/s set its probes'
   * rates, and runs after the other scenarios of each count. Default true.
   */
  isolation: boolean;
  /**
   * Agents seeded with the ~650-byte cards (`--small-card-agents`) beside the largest count's own,
   * under a key prefix of their own and deleted afterwards, for their Redis memory per agent; 0
   * skips it. Default: the largest agent count.
   */
  smallCardAgents: number;
  /**
   * Agent counts of the embedded registry (no REDIS_URL), seeded over HTTP, for its memory per
   * agent and the p95 growth of its list pages and `search-all` from the smallest to the largest
   * (`--embedded-agents`, comma-separated; 0 skips it). Default: the agent counts, each capped at
   * 100,000.
   */
  embeddedAgents: number[];
  /** An existing Redis to use; otherwise a throwaway redis-server is started (clean memory figures). */
  redisUrl: string | undefined;
  outDir: string;
  /** Exit with status 1 when a target is missed. */
  check: boolean;
  /**
   * Run the registry under Node's CPU profiler, restarted for each scenario: one `.cpuprofile`
   * per scenario, size and replica under `<out>/profiles-<time>/`, and a table of each one's
   * hottest functions. Profiling slows the registry, so such runs find hot paths; they are not
   * results to compare. Default false.
   */
  profile: boolean;
}

export function parseHarnessOptions(argv: string[]): HarnessOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      agents: { type: 'string', default: '10000' },
      replicas: { type: 'string', default: '1' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '1' },
      rounds: { type: 'string', default: '3' },
      scenarios: { type: 'string', default: [...Object.keys(SCENARIOS), ISOLATION_SCENARIO].join(',') },
      'small-card-agents': { type: 'string' },
      'embedded-agents': { type: 'string' },
      'redis-url': { type: 'string' },
      out: { type: 'string', default: 'bench/results' },
      check: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
    },
  });
  const agentCounts = countsOf(values.agents);
  if (agentCounts.length === 0) throw new Error('--agents takes whole numbers of at least 10, comma-separated');
  const largest = agentCounts.at(-1) as number;
  const smallCardAgents = Number(values['small-card-agents'] ?? largest);
  if (!Number.isInteger(smallCardAgents) || (smallCardAgents !== 0 && smallCardAgents < 10)) throw new Error('--small-card-agents takes 0 or a whole number of at least 10');
  const embeddedAgents = values['embedded-agents'] === undefined ? [...new Set(agentCounts.map((n) => Math.min(n, EMBEDDED_AGENTS_CAP)))] : countsOf(values['embedded-agents']);
  const names = values.scenarios.split(',');
  const isolation = names.includes(ISOLATION_SCENARIO);
  const scenarios = names.filter((name) => name !== ISOLATION_SCENARIO) as ScenarioName[];
  const unknown = scenarios.filter((name) => !(name in SCENARIOS));
  if ([...agentCounts, ...embeddedAgents].some((n) => !Number.isInteger(n) || n < 10)) {
    throw new Error('--agents and --embedded-agents take whole numbers of at least 10, comma-separated (--embedded-agents 0: none)');
  }
  if (unknown.length > 0) throw new Error(`Unknown scenarios: ${unknown.join(', ')}`);
  const missingProbes = ISOLATION.probes.filter((probe) => !scenarios.includes(probe));
  if (isolation && missingProbes.length > 0) throw new Error(`The isolation scenario needs ${missingProbes.join(' and ')} among --scenarios too`);
  const replicas = Number(values.replicas);
  const durationSeconds = Number(values.duration);
  if (!Number.isInteger(replicas) || replicas < 1) throw new Error('--replicas takes a whole number of at least 1');
  const warmupSeconds = Number(values.warmup);
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds takes a whole number of at least 1');
  if (!(durationSeconds > 0)) throw new Error('--duration takes a positive number of seconds');
  if (!(warmupSeconds >= 0)) throw new Error('--warmup takes a number of seconds');
  return {
    agentCounts,
    replicas,
    durationSeconds,
    warmupSeconds,
    rounds,
    scenarios,
    isolation,
    smallCardAgents,
    embeddedAgents,
    redisUrl: values['redis-url'] || process.env.REDIS_URL || undefined,
    outDir: values.out,
    check: values.check,
    profile: values.profile,
  };
}

/** Agent counts from a comma-separated list, smallest first; `0` alone is none. */
function countsOf(list: string): number[] {
  return list === '0' ? [] : list.split(',').map(Number).sort((a, b) => a - b);
}
