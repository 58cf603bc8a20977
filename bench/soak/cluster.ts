import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startRedisServer, type LocalRedis } from '../../scripts/local-redis.js';
import { startNodeProcess, type RunningProcess } from '../harness/processes.js';

/** One process of the soak's cluster, which the chaos may kill (-9) and start again on the same port. */
export interface Member {
  name: string;
  /** The API origin, for API replicas. */
  origin?: string;
  up: boolean;
  pid(): number | undefined;
  kill(): void;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Resident memory of a process in bytes, from /proc (Linux), or undefined when it is gone. */
export function rssOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
    return line ? Number(line.replace(/\D+/g, '')) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Redis with an append-only file in a directory that outlives each process, so a restart reads it back. */
export async function redisMember(fsync: string): Promise<Member & { url: string }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'a2a-soak-redis-'));
  const args = ['--appendonly', 'yes', '--appendfsync', fsync, '--dir', dir];
  let redis: LocalRedis = await startRedisServer(port, args);
  const member = {
    name: 'redis',
    url: redis.url,
    up: true,
    pid: () => redis.process.pid,
    kill: () => {
      member.up = false;
      redis.process.kill('SIGKILL');
    },
    restart: async () => {
      redis = await startRedisServer(port, args);
      member.up = true;
    },
    stop: () => redis.stop(),
  };
  return member;
}

/** A registry process (`ROLE` api or worker) on a port of its own. */
export async function registryMember(name: string, role: 'api' | 'worker', env: Record<string, string>): Promise<Member> {
  const port = await freePort();
  const fullEnv = { ...env, PORT: String(port), HOST: '127.0.0.1', ROLE: role, LOG_LEVEL: 'error' };
  // Alive is enough: a replica started while Redis is away listens, and answers 503 until it is back.
  const start = () => startNodeProcess('dist/main.js', [], port, fullEnv, '/health');
  let running: RunningProcess = await start();
  const member: Member = {
    name,
    up: true,
    ...(role === 'api' ? { origin: running.origin } : {}),
    pid: () => running.child.pid,
    kill: () => {
      member.up = false;
      running.child.kill('SIGKILL');
    },
    restart: async () => {
      running = await start();
      member.up = true;
    },
    stop: () => running.stop(),
  };
  return member;
}
