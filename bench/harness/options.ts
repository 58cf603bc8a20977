import { parseArgs } from 'node:util';
import { ISOLATION, SCENARIOS, type ScenarioName } from '../scenarios.js';

/** The name that asks `--scenarios` for the isolation scenario. */
const ISOLATION_SCENARIO = 'isolation';

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
      'redis-url': { type: 'string' },
      out: { type: 'string', default: 'bench/results' },
      check: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
    },
  });
  const agentCounts = values.agents.split(',').map(Number).sort((a, b) => a - b);
  const names = values.scenarios.split(',');
  const isolation = names.includes(ISOLATION_SCENARIO);
  const scenarios = names.filter((name) => name !== ISOLATION_SCENARIO) as ScenarioName[];
  const unknown = scenarios.filter((name) => !(name in SCENARIOS));
  if (agentCounts.some((n) => !Number.isInteger(n) || n < 10)) throw new Error('--agents takes whole numbers of at least 10, comma-separated');
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
    redisUrl: values['redis-url'] || process.env.REDIS_URL || undefined,
    outDir: values.out,
    check: values.check,
    profile: values.profile,
  };
}
