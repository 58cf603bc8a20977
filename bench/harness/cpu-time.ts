import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/** Redis's CPU time so far (user and system, all threads), in µs. */
export async function redisCpuUs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const seconds = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1_000_000;
}

/**
 * Linux reports a process's CPU time in `/proc/<pid>/stat` in clock ticks of 1/100 s (USER_HZ,
 * which the kernel keeps at 100 for user space whatever its own tick rate).
 */
const MICROS_PER_TICK = 10_000;

/**
 * A process's CPU time so far (user and system, all threads), in µs; undefined where there is no
 * `/proc` to read it from (not Linux) or the process is gone.
 */
export function processCpuUs(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: fields are counted after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
  return (Number(fields[11]) + Number(fields[12])) * MICROS_PER_TICK;
}

/**
 * The CPU time of the processes `pids` names, summed, in µs; the list is read at each call, as a
 * restarted process has a new pid. Undefined when one of them cannot be read.
 */
export const processesCpuUs =
  (pids: () => readonly (number | undefined)[]) =>
  (): number | undefined => {
    let total = 0;
    for (const pid of pids()) {
      const us = pid === undefined ? undefined : processCpuUs(pid);
      if (us === undefined) return undefined;
      total += us;
    }
    return total;
  };

/** CPU time used so far by each source a measurement reads, in µs. */
export interface CpuMeters {
  /** The server's own processes. */
  server: () => number | undefined;
  /** The Redis it uses, when it uses one. */
  redis?: () => Promise<number>;
}

/** What a closed-loop run cost in CPU, µs a request. */
export interface CpuPerRequest {
  server: number;
  redis?: number;
}

/** CPU time summed over a run's rounds, source by source. */
export class CpuTally {
  private serverUs = 0;
  private redisUs = 0;
  private unknown = false;

  constructor(private readonly meters: CpuMeters) {}

  /** Runs `round`, adding the CPU time each source spent meanwhile. */
  async during(round: () => Promise<unknown>): Promise<void> {
    const { server, redis } = this.meters;
    const serverBefore = server();
    const redisBefore = await redis?.();
    await round();
    const serverAfter = server();
    if (serverBefore === undefined || serverAfter === undefined) this.unknown = true;
    else this.serverUs += serverAfter - serverBefore;
    if (redis && redisBefore !== undefined) this.redisUs += (await redis()) - redisBefore;
  }

  /** µs a request over `requests`; undefined when a server process could not be read. */
  perRequest(requests: number): CpuPerRequest | undefined {
    if (this.unknown || requests === 0) return undefined;
    return { server: this.serverUs / requests, ...(this.meters.redis ? { redis: this.redisUs / requests } : {}) };
  }
}
