import { freePort } from '../../scripts/local-redis.js';
import type { HarnessOptions } from './options.js';
import { startNodeProcess, type RunningProcess } from './processes.js';
import { HOT_AGENTS } from './workload.js';

/** Node's arguments for each replica (by index): none, or the CPU profiler's, which writes `<dir>/<name>-<n>.cpuprofile` at exit. */
export type ReplicaNodeArgs = (replica: number) => string[];

export const profilerArgs =
  (dir: string, name: string): ReplicaNodeArgs =>
  (replica) => ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', `${name}-${replica + 1}.cpuprofile`];

/** The registry's processes: its replicas, behind a balancer (listed first) when there are several. */
export async function startRegistry(options: HarnessOptions, redisUrl: string, prefix: string, nodeArgs: ReplicaNodeArgs = () => []): Promise<RunningProcess[]> {
  const replicas: RunningProcess[] = [];
  for (let i = 0; i < options.replicas; i++) {
    const port = await freePort();
    const env = { PORT: String(port), HOST: '127.0.0.1', REDIS_URL: redisUrl, REDIS_PREFIX: prefix, ROLE: 'api', LOG_LEVEL: 'warn', CACHE_MAX_ENTRIES: String(HOT_AGENTS * 2) };
    replicas.push(await startNodeProcess('dist/main.js', [], port, env, '/ready', nodeArgs(i)));
  }
  if (options.replicas === 1) return replicas;
  const port = await freePort();
  const balancer = await startNodeProcess('bench/harness/load-balancer.ts', [String(port), ...replicas.map((r) => r.origin)], port, {}, '/ready');
  return [balancer, ...replicas];
}

/** Stops processes in the reverse order of their start: a balancer before the replicas behind it. */
export const stopAll = async (processes: RunningProcess[]) => {
  for (const running of [...processes].reverse()) await running.stop();
};

