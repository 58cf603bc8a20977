import { freePort } from '../../scripts/local-redis.js';
import { benchCard, EMBEDDED_TARGETS } from '../scenarios.js';
import { processesCpuUs } from './cpu-time.js';
import type { HeapReading } from './heap-probe.js';
import { measureClosed, type Run } from './measure.js';
import type { HarnessOptions } from './options.js';
import { startNodeProcess, type RunningProcess } from './processes.js';
import type { EmbeddedReport, Measurement } from './results.js';
import { meanCardJsonBytes, seedThroughHttp } from './seeding.js';
import { requestsFor, workload } from './workload.js';

/** The embedded registry at one agent count, seeded and still running. */
interface EmbeddedSize {
  report: EmbeddedReport;
  registry: RunningProcess;
}

/** Heap used and external memory of the registry after full garbage collections, in bytes. */
async function memoryInUse(probe: string): Promise<number> {
  const reading = (await (await fetch(probe)).json()) as HeapReading;
  return reading.heapUsed + reading.external;
}

/** Beyond every seeded index: the card registered to warm the registry up. */
const WARM_UP_CARD = 1_000_000_000;

/**
 * One registration, listing and search before the first reading, so that what serving them
 * allocates once (compiled code, lazily built parsers) is in both readings, not in the agents' share.
 */
async function warmUp(origin: string): Promise<void> {
  const card = JSON.stringify({ agent_card: benchCard(WARM_UP_CARD) });
  await (await fetch(`${origin}/agents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: card })).arrayBuffer();
  for (const path of ['/agents?limit=50', '/agents?input_mode=text%2Fplain&limit=20']) await (await fetch(`${origin}${path}`)).arrayBuffer();
}

/**
 * Starts the registry with no REDIS_URL (its embedded in-process store) and the heap probe
 * preloaded, reads its memory, registers the bench cards over HTTP, and reads it again.
 */
async function seedEmbedded(agents: number): Promise<EmbeddedSize> {
  const [port, probePort] = [await freePort(), await freePort()];
  const env = { PORT: String(port), HOST: '127.0.0.1', REDIS_URL: '', ROLE: 'all', LOG_LEVEL: 'warn', HEAP_PROBE_PORT: String(probePort) };
  const nodeArgs = ['--expose-gc', '--import', 'tsx', '--import', './bench/harness/heap-probe.ts'];
  const registry = await startNodeProcess('dist/main.js', [], port, env, '/ready', nodeArgs);
  try {
    const probe = `http://127.0.0.1:${probePort}/`;
    await warmUp(registry.origin);
    const before = await memoryInUse(probe);
    const seedSeconds = await seedThroughHttp(registry.origin, agents);
    const after = await memoryInUse(probe);
    const report = { agents, memoryBeforeBytes: before, memoryAfterBytes: after, memoryPerAgentBytes: (after - before) / agents, cardJsonBytes: meanCardJsonBytes(benchCard, agents), seedSeconds };
    process.stderr.write(`embedded: seeded ${agents} agents over HTTP in ${seedSeconds.toFixed(1)} s, ${report.memoryPerAgentBytes.toFixed(0)} B per agent\n`);
    return { report, registry };
  } catch (error) {
    await registry.stop();
    throw error;
  }
}

/**
 * The embedded registry at each of `options.embeddedAgents`: its memory per agent, and the closed
 * loop of list pages and `search-all` against its smallest and largest catalogue in turns, whose
 * measurements (target `embedded`, mode `growth`) go to `measurements`.
 */
export async function measureEmbedded(options: HarnessOptions, measurements: Measurement[]): Promise<EmbeddedReport[]> {
  const reports: EmbeddedReport[] = [];
  const kept: EmbeddedSize[] = [];
  const last = options.embeddedAgents.length - 1;
  try {
    for (const [index, agents] of options.embeddedAgents.entries()) {
      const size = await seedEmbedded(agents);
      reports.push(size.report);
      if (index === 0 || index === last) kept.push(size);
      else await size.registry.stop();
    }
    if (kept.length === 2) {
      for (const scenario of EMBEDDED_TARGETS.growthScenarios) {
        const runs = kept.map(({ report: { agents }, registry }): Run => ({
          options,
          agents,
          scenario,
          target: 'embedded',
          origin: registry.origin,
          next: requestsFor(scenario, workload(agents), () => 0),
          cpu: { server: processesCpuUs(() => [registry.child.pid]) },
        }));
        measurements.push(...(await measureClosed(runs, 'growth')));
      }
    }
  } finally {
    for (const { registry } of kept) await registry.stop();
  }
  return reports;
}
