/**
 * `npm run bench`: seeds agents into Redis through the registry's own service and store (in child
 * processes, bench/harness/seeding.ts), starts the registry and two baselines that serve the same bytes,
 * drives every scenario against the three in a closed loop, taking turns in rounds (throughput),
 * then drives every scenario with a p95 target against the registry and Express in an open model
 * at LATENCY_LOAD_SHARE × Express's closed-loop req/s (latency). With several agent counts, the
 * registries of the smallest and the largest stay up, and the scenarios with a growth target are
 * then driven against both in turns. It prints and saves the results.
 * At every agent count it also reads Redis's SLOWLOG after each search scenario and measures the
 * isolation scenario (bench/harness/isolation.ts); beside the largest it measures Redis memory with
 * ~650-byte cards (small-cards.ts); at the end the embedded registry (embedded.ts).
 * Options: --agents 10000[,100000] --replicas 1 --duration 10 --warmup 1 --rounds 3 --scenarios get,search,isolation
 * --small-card-agents N --embedded-agents 10000,100000 --redis-url URL --out DIR --check --profile
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, startRedisServer } from '../../scripts/local-redis.js';
import { benchCard, readsSlowlog, SCENARIOS, type ScenarioName } from '../scenarios.js';
import { checkTargets } from './checks.js';
import { profilesTable, summariseProfile, type ProfileSummary } from './cpu-profile.js';
import { processesCpuUs, redisCpuUs, type CpuMeters } from './cpu-time.js';
import { measureEmbedded } from './embedded.js';
import { measureIsolation } from './isolation.js';
import { measureClosed, measureScenario, type Run } from './measure.js';
import { parseHarnessOptions, type HarnessOptions } from './options.js';
import { startNodeProcess, type RunningProcess } from './processes.js';
import { deleteKeys, usedMemory } from './redis-admin.js';
import { profilerArgs, startRegistry, stopAll } from './registry-processes.js';
import {
  checksTable,
  cpuTable,
  embeddedGrowthTable,
  embeddedTable,
  growthTable,
  isolationTable,
  latencyTable,
  markdownTable,
  memoryTable,
  slowlogTable,
  smallCardsTable,
} from './report.js';
import type { Measurement, RunResults, ServerTarget, SizeReport } from './results.js';
import { meanCardJsonBytes, seedThroughStore } from './seeding.js';
import { readSlowlog, resetSlowlog, slowlogAlone, slowlogRedisArgs } from './slowlog.js';
import { measureSmallCards } from './small-cards.js';
import { captureFixtures, requestsFor, workload } from './workload.js';

/** Where a run's results go: what it measured, and with `--profile` the registry's CPU profiles and their summaries. */
interface RunOutput extends RunResults {
  profiles: ProfileSummary[];
  /** Where profiles are written, when profiling: absolute, because the replicas run in the repository's root. */
  profileDir: string | undefined;
}

/** One agent count, measured: its report, and its registry, still running for the growth measurements. */
interface SizeRun {
  report: SizeReport;
  /** A run of `scenario` against this size's registry. */
  registryRun: (scenario: ScenarioName) => Run;
  /** Stops the registry and its Redis (or deletes the run's keys from a Redis the harness did not start). */
  stop: () => Promise<void>;
}

async function runAtSize(options: HarnessOptions, agents: number, output: RunOutput): Promise<SizeRun> {
  const ownRedis = options.redisUrl ? undefined : await startRedisServer(await freePort(), slowlogRedisArgs());
  const redisUrl = options.redisUrl ?? (ownRedis?.url as string);
  const prefix = `bench:{${process.pid}-${agents}}:`;
  const dir = mkdtempSync(join(tmpdir(), 'a2a-bench-'));
  const baselines: Partial<Record<ServerTarget, RunningProcess>> = {};
  let registry: RunningProcess[] = [];
  // Reads Redis's CPU time around each closed-loop round of the registry (another Redis's: all its clients').
  const cpuReader = new Redis(redisUrl);
  const stop = async () => {
    cpuReader.disconnect();
    await stopAll(registry);
    if (ownRedis) await ownRedis.stop();
    else await deleteKeys(redisUrl, prefix);
  };
  try {
    const memoryBefore = await usedMemory(redisUrl);
    const seedSeconds = await seedThroughStore(redisUrl, prefix, agents);
    const memoryPerAgentBytes = ((await usedMemory(redisUrl)) - memoryBefore) / agents;
    // Started after seeding, so it does not spend the machine on a million invalidations of records it never read.
    registry = await startRegistry(options, redisUrl, prefix);
    const origin = (registry[0] as RunningProcess).origin;
    const cardJsonBytes = meanCardJsonBytes(benchCard, agents);
    process.stderr.write(`seeded ${agents} agents in ${seedSeconds.toFixed(1)} s\n`);

    const work = workload(agents);
    const fixtures = join(dir, 'fixtures.json');
    await captureFixtures(origin, work, fixtures);
    const origins: Record<ServerTarget, string> = { registry: origin, express: '', node: '' };
    const startBaseline = async (kind: 'express' | 'node') => {
      const port = await freePort();
      const baseline = await startNodeProcess('bench/harness/baseline-server.ts', [kind, String(port), fixtures], port, {}, '/health');
      baselines[kind] = baseline;
      origins[kind] = baseline.origin;
    };
    await Promise.all([startBaseline('express'), startBaseline('node')]);

    // The registry's replicas, not the balancer in front of several.
    const replicas = () => (options.replicas === 1 ? registry : registry.slice(1));
    const cpuOf = (target: ServerTarget): CpuMeters =>
      target === 'registry'
        ? { server: processesCpuUs(() => replicas().map(({ child }) => child.pid)), redis: () => redisCpuUs(cpuReader) }
        : { server: processesCpuUs(() => [baselines[target]?.child.pid]) };
    let newAgent = agents;
    const ordered = [...options.scenarios].sort((a, b) => Number(a === 'register') - Number(b === 'register'));
    const runOf = (scenario: ScenarioName, target: ServerTarget): Run => ({
      options,
      agents,
      scenario,
      target,
      origin: origins[target],
      next: requestsFor(scenario, work, () => newAgent++),
      cpu: cpuOf(target),
    });
    for (const scenario of ordered) {
      const { profileDir } = output;
      if (profileDir) {
        // A fresh registry per scenario, so each profile holds one scenario; the records stay in Redis.
        await stopAll(registry);
        registry = await startRegistry(options, redisUrl, prefix, profilerArgs(profileDir, `${agents}-${scenario}`));
        origins.registry = (registry[0] as RunningProcess).origin;
      }
      if (readsSlowlog(scenario)) await resetSlowlog(redisUrl);
      await measureScenario(scenario, runOf, output.measurements);
      if (readsSlowlog(scenario)) {
        const loaded = await readSlowlog(redisUrl, agents, scenario);
        const { origin, next } = runOf(scenario, 'registry');
        output.slowlogs.push({ ...loaded, alone: await slowlogAlone(redisUrl, origin, next) });
      }
      if (profileDir) {
        await stopAll(registry);
        registry = [];
        for (let replica = 1; replica <= options.replicas; replica++) {
          output.profiles.push(summariseProfile(join(profileDir, `${agents}-${scenario}-${replica}.cpuprofile`)));
        }
      }
    }
    if (output.profileDir && (options.agentCounts.length > 1 || options.isolation)) {
      // Unprofiled again for the isolation and growth measurements.
      registry = await startRegistry(options, redisUrl, prefix);
      origins.registry = (registry[0] as RunningProcess).origin;
    }
    if (options.isolation) {
      const { durationSeconds, warmupSeconds } = options;
      output.isolation.push(await measureIsolation({ agents, origin: origins.registry, work, measurements: output.measurements, durationSeconds, warmupSeconds, dir }));
    }
    if (agents === options.agentCounts.at(-1) && options.smallCardAgents > 0) {
      output.smallCards.push(await measureSmallCards(redisUrl, `bench:{${process.pid}-small-cards}:`, options.smallCardAgents));
    }
    return { report: { agents, memoryPerAgentBytes, cardJsonBytes, seedSeconds }, registryRun: (scenario) => runOf(scenario, 'registry'), stop };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    await stopAll(Object.values(baselines));
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The growth targets' measurements: the registry at the smallest and the largest agent count, in
 * turns as the closed loop's targets take them, once every size has been measured on its own.
 */
async function measureGrowth(small: SizeRun, large: SizeRun, scenarios: ScenarioName[], measurements: Measurement[]): Promise<void> {
  for (const scenario of scenarios.filter((name) => SCENARIOS[name].targets.maxGrowthP95 !== undefined)) {
    measurements.push(...(await measureClosed([small.registryRun(scenario), large.registryRun(scenario)], 'growth')));
  }
}

async function main(): Promise<void> {
  const options = parseHarnessOptions(process.argv.slice(2));
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const output: RunOutput = {
    measurements: [],
    sizes: [],
    slowlogs: [],
    isolation: [],
    smallCards: [],
    embedded: [],
    profiles: [],
    profileDir: options.profile ? resolve(options.outDir, `profiles-${stamp}`) : undefined,
  };
  const { measurements, sizes, slowlogs, isolation, smallCards, embedded, profiles } = output;
  if (output.profileDir) mkdirSync(output.profileDir, { recursive: true });
  // The smallest and the largest size (agent counts are sorted), kept running for the growth measurements.
  const kept: SizeRun[] = [];
  try {
    for (const [index, agents] of options.agentCounts.entries()) {
      const run = await runAtSize(options, agents, output);
      sizes.push(run.report);
      if (index === 0 || index === options.agentCounts.length - 1) kept.push(run);
      else await run.stop();
    }
    const [small, large] = kept;
    if (small && large) await measureGrowth(small, large, options.scenarios, measurements);
  } finally {
    for (const run of kept) await run.stop();
  }
  embedded.push(...(await measureEmbedded(options, measurements)));
  const checks = checkTargets(output);
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim();
  const markdown = [
    `Machine: ${machine}. Date: ${new Date().toISOString()}. Command: \`${command}\`. Replicas: ${options.replicas}.`,
    '',
    markdownTable(measurements),
    '',
    cpuTable(measurements),
    '',
    latencyTable(measurements),
    '',
    growthTable(measurements),
    '',
    memoryTable(sizes),
    '',
    smallCardsTable(smallCards),
    '',
    embeddedTable(embedded),
    '',
    embeddedGrowthTable(measurements),
    '',
    slowlogTable(slowlogs),
    '',
    isolationTable(isolation),
    '',
    checksTable(checks),
    ...(profiles.length > 0
      ? ['', `CPU profiles of the registry (\`--profile\`, in ${output.profileDir}; open them in Chrome DevTools or speedscope for flame graphs). The profiler slows the registry: the tables above are not comparable with unprofiled runs.`, '', profilesTable(profiles)]
      : []),
  ].join('\n');
  process.stdout.write(`${markdown}\n`);
  mkdirSync(options.outDir, { recursive: true });
  const file = join(options.outDir, `bench-${stamp}.json`);
  writeFileSync(file, JSON.stringify({ machine, command, options, sizes, measurements, slowlogs, isolation, smallCards, embedded, checks, profiles }, null, 2));
  process.stderr.write(`results written to ${file}\n`);
  if (options.check && checks.some((c) => !c.pass)) process.exitCode = 1;
}

await main();
