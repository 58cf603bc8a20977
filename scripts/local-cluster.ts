import { spawnSync } from 'node:child_process';
import { askRedis, freePort, pollUntil, startRedisServer, type LocalRedis } from './local-redis.js';

/** Whether `redis-cli --cluster` is on PATH to create a Redis Cluster (Debian's redis-tools, Redis 5 or later). */
export function clusterToolsInstalled(): boolean {
  const version = spawnSync('redis-cli', ['--version'], { encoding: 'utf8' });
  const major = Number(/redis-cli (\d+)\./.exec(version.stdout ?? '')?.[1]);
  return version.status === 0 && major >= 5;
}

/** How long a silent primary may be before the cluster fails it over to its replica, in ms. */
const NODE_TIMEOUT_MS = 1000;

/**
 * Each node keeps its state in its own directory. Its bus port is a free port of its own: the
 * default, the data port + 10000, may be taken, or past 65535, for the free ports tests use. A
 * replica syncs at once and may always be promoted: on a loaded machine a replica whose last
 * exchange with its primary looks old would otherwise refuse to fail over, and the test would
 * wait for a failover that never comes.
 */
const CLUSTER_NODE_ARGS = [
  '--cluster-enabled', 'yes',
  '--cluster-config-file', 'nodes.conf',
  '--cluster-node-timeout', String(NODE_TIMEOUT_MS),
  '--cluster-replica-validity-factor', '0',
  '--repl-diskless-sync-delay', '0',
];

/**
 * A Redis Cluster on loopback: three primaries with one replica each, real processes, created with
 * `redis-cli --cluster create`. For fault tests of the registry's Cluster mode.
 */
export class LocalCluster {
  private readonly nodes = new Map<number, LocalRedis>();

  /** `ports`: six ports, the first three the primaries at the start. */
  constructor(private readonly ports: number[]) {}

  /** `REDIS_CLUSTER_NODES` for this cluster: the first primaries (the client learns the rest). */
  get nodeList(): string {
    return this.ports.slice(0, 3).map((port) => `127.0.0.1:${port}`).join(',');
  }

  async start(): Promise<void> {
    for (const port of this.ports) {
      this.nodes.set(port, await startRedisServer(port, [...CLUSTER_NODE_ARGS, '--cluster-port', String(await freePort())]));
    }
    const created = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...this.ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '1', '--cluster-yes'],
      { encoding: 'utf8' },
    );
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${created.stdout}\n${created.stderr}`);
    await pollUntil('every slot served and the cluster ok', 30_000, async () => {
      const info = await askRedis(this.ports[0] as number, 'CLUSTER', 'INFO');
      return /cluster_state:ok/.test(String(info)) && /cluster_slots_ok:16384/.test(String(info));
    });
  }

  /** The port of the primary that owns the slot of `key` now, as `node`'s view of the cluster tells. */
  async ownerOf(key: string, node = this.ports[0] as number): Promise<number> {
    const slot = Number(await askRedis(node, 'CLUSTER', 'KEYSLOT', key));
    const ranges = (await askRedis(node, 'CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
    const range = ranges.find(([start, end]) => slot >= start && slot <= end);
    if (!range) throw new Error(`No node serves slot ${slot}`);
    return Number(range[2][1]);
  }

  /** kill -9 of the node on `port`. */
  async kill(port: number): Promise<void> {
    await this.nodes.get(port)?.kill();
  }

  /** Waits until another primary than `oldPort` owns the slot of `key`, as a surviving node sees it. */
  async failedOver(key: string, oldPort: number, timeoutMs = 30_000): Promise<number> {
    const survivor = this.ports.find((port) => port !== oldPort) as number;
    return pollUntil('the cluster to fail over', timeoutMs, async () => {
      const owner = await this.ownerOf(key, survivor);
      return owner !== oldPort && /cluster_state:ok/.test(String(await askRedis(owner, 'CLUSTER', 'INFO'))) && owner;
    });
  }

  async stop(): Promise<void> {
    await Promise.all([...this.nodes.values()].map((node) => node.stop()));
  }
}
