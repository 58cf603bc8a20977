import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { askRedis, pollUntil, startRedisServer, type LocalRedis } from './local-redis.js';

/** How long {@link LocalSentinelSet.rejoin} leaves the demotion of a returning primary to the Sentinels. */
const SENTINEL_DEMOTION_WAIT_MS = 20_000;

/** The master name the local Sentinels monitor the primary under. */
export const LOCAL_MASTER_NAME = 'registry';

/** Whether `redis-sentinel` is on PATH (Debian's redis-sentinel package). */
export function sentinelInstalled(): boolean {
  return spawnSync('redis-sentinel', ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface LocalSentinelOptions {
  /** Ports of the two Redis servers, the first the primary at the start. */
  serverPorts: [number, number];
  /** Ports of the three Sentinels. */
  sentinelPorts: [number, number, number];
  /** How long a silent primary may be before the Sentinels call it down. @defaultValue 1000 */
  downAfterMs?: number;
  /** More `redis-server` arguments for both servers, such as `--min-replicas-to-write 1`. @defaultValue none */
  serverArgs?: string[];
}

/**
 * A Sentinel deployment on loopback: a primary, a replica and three Sentinels (quorum 2), each a
 * real process, for fault tests and the failover measurement. The servers swap roles at each
 * failover; {@link LocalSentinelSet.primaryPort} asks the Sentinels which one leads now.
 */
export class LocalSentinelSet {
  private readonly dir = mkdtempSync(join(tmpdir(), 'a2a-sentinel-'));
  private readonly servers = new Map<number, LocalRedis>();
  private readonly sentinels: ChildProcess[] = [];
  private readonly frozen = new Set<number>();

  constructor(private readonly options: LocalSentinelOptions) {}

  private get serverArgs(): string[] {
    return this.options.serverArgs ?? [];
  }

  /** `REDIS_SENTINELS` for this deployment. */
  get sentinelList(): string {
    return this.options.sentinelPorts.map((port) => `127.0.0.1:${port}`).join(',');
  }

  /**
   * Starts the servers, then the Sentinels, and waits until every Sentinel knows the replica and its
   * peers and the replica holds what the primary holds.
   */
  async start(): Promise<void> {
    const [first, second] = this.options.serverPorts;
    this.servers.set(first, await startRedisServer(first, this.serverArgs));
    this.servers.set(second, await startRedisServer(second, [...this.serverArgs, '--replicaof', '127.0.0.1', String(first)]));
    for (const [index, port] of this.options.sentinelPorts.entries()) this.sentinels.push(this.startSentinel(port, index, first));
    await pollUntil('the Sentinels to see the replica and each other', 20_000, async () => {
      const views = await Promise.all(this.options.sentinelPorts.map((port) => askRedis(port, 'SENTINEL', 'MASTER', LOCAL_MASTER_NAME)));
      return views.every((view) => {
        const fields = fieldsOf(view as string[]);
        return fields['num-slaves'] === '1' && fields['num-other-sentinels'] === '2';
      });
    });
    // Redis delays a replica's first (diskless) sync by seconds: a fault before it ends would promote an empty replica.
    await this.caughtUp(first, second);
  }

  /** The port of the primary the Sentinels (or the one on `sentinelPort`) name now. */
  async primaryPort(sentinelPort = this.options.sentinelPorts[0]): Promise<number> {
    const [, port] = (await askRedis(sentinelPort, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', LOCAL_MASTER_NAME)) as [string, string];
    return Number(port);
  }

  /** A plain connection to the server on `port`, for reading what it holds. */
  connect(port: number): Redis {
    return new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  }

  /** kill -9 of the primary; resolves with its port once it is gone. */
  async killPrimary(): Promise<number> {
    const port = await this.primaryPort();
    await this.servers.get(port)?.kill();
    return port;
  }

  /** SIGSTOP of the primary: its sockets stay open and it answers nothing. */
  async freezePrimary(): Promise<number> {
    const port = await this.primaryPort();
    this.servers.get(port)?.process.kill('SIGSTOP');
    this.frozen.add(port);
    return port;
  }

  /**
   * Waits until every Sentinel names another primary than `oldPort` (each has announced the switch
   * to its subscribers by then) and it accepts writes.
   */
  async failedOver(oldPort: number, timeoutMs = 30_000): Promise<number> {
    return pollUntil('a failover', timeoutMs, async () => {
      const named = await Promise.all(this.options.sentinelPorts.map((sentinel) => this.primaryPort(sentinel)));
      const port = named[0] as number;
      if (port === oldPort || named.some((other) => other !== port)) return false;
      const redis = this.connect(port);
      try {
        const role = (await redis.role()) as [string];
        return role[0] === 'master' && port;
      } finally {
        redis.disconnect();
      }
    });
  }

  /**
   * Brings the old primary back as a replica of the new one: a killed server starts again empty
   * with `--replicaof`, a frozen one resumes (SIGCONT) and the Sentinels demote it. Resolves once
   * the replica has acknowledged everything the new primary held when it came online.
   */
  async rejoin(oldPort: number): Promise<void> {
    const primary = await this.primaryPort();
    if (this.frozen.delete(oldPort)) {
      this.servers.get(oldPort)?.process.kill('SIGCONT');
    } else {
      await this.servers.get(oldPort)?.stop();
      this.servers.set(oldPort, await startRedisServer(oldPort, [...this.serverArgs, '--replicaof', '127.0.0.1', String(primary)]));
    }
    const rejoined = async () => {
      const redis = this.connect(primary);
      try {
        const info = await redis.info('replication');
        return new RegExp(`slave\\d+:ip=127\\.0\\.0\\.1,port=${oldPort},state=online`).test(info);
      } finally {
        redis.disconnect();
      }
    };
    // The Sentinels demote a returning primary on their own, usually within seconds; where they have
    // not after SENTINEL_DEMOTION_WAIT_MS, it is demoted as an operator would.
    const demoted = await pollUntil('the Sentinels to demote the old primary', SENTINEL_DEMOTION_WAIT_MS, rejoined).catch(() => false);
    if (!demoted) {
      await askRedis(oldPort, 'REPLICAOF', '127.0.0.1', String(primary));
      await pollUntil('the old primary to rejoin as a replica', 30_000, rejoined);
    }
    await this.caughtUp(primary, oldPort);
  }

  /**
   * Waits until the replica on `replicaPort` has acknowledged the offset the primary had reached
   * when this was called. `state=online` alone is not enough: after a full resync the primary counts
   * the replica online once the snapshot is sent, while the replica is still loading it and the
   * writes since the snapshot wait on the primary; a failover then would lose them all.
   */
  private async caughtUp(primaryPort: number, replicaPort: number): Promise<void> {
    const replication = async () => String(await askRedis(primaryPort, 'INFO', 'replication'));
    const target = Number(/master_repl_offset:(\d+)/.exec(await replication())?.[1]);
    await pollUntil('the replica to acknowledge the primary\'s writes', 30_000, async () => {
      const acked = new RegExp(`slave\\d+:ip=127\\.0\\.0\\.1,port=${replicaPort},state=online,offset=(\\d+)`).exec(await replication());
      return acked !== null && Number(acked[1]) >= target;
    });
  }

  /** Stops every process (resuming frozen ones first, so they can exit) and removes the files. */
  async stop(): Promise<void> {
    for (const port of this.frozen) this.servers.get(port)?.process.kill('SIGCONT');
    await Promise.all(this.sentinels.map((sentinel) => stopChild(sentinel)));
    await Promise.all([...this.servers.values()].map((server) => server.stop()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private startSentinel(port: number, index: number, primaryPort: number): ChildProcess {
    // Sentinel rewrites its configuration file as it learns, so each has one of its own.
    const file = join(this.dir, `sentinel-${index}.conf`);
    writeFileSync(
      file,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${this.dir}`,
        `sentinel monitor ${LOCAL_MASTER_NAME} 127.0.0.1 ${primaryPort} 2`,
        `sentinel down-after-milliseconds ${LOCAL_MASTER_NAME} ${this.options.downAfterMs ?? 1000}`,
        `sentinel failover-timeout ${LOCAL_MASTER_NAME} 5000`,
        `sentinel parallel-syncs ${LOCAL_MASTER_NAME} 1`,
        '',
      ].join('\n'),
    );
    return spawn('redis-sentinel', [file], { stdio: 'ignore' });
  }
}

/** A flat `[name, value, name, value...]` reply as an object. */
function fieldsOf(reply: string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < reply.length; i += 2) fields[reply[i] as string] = reply[i + 1] as string;
  return fields;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
