import { Redis } from 'ioredis';
import { SLOWLOG_TARGET, type ScenarioName } from '../scenarios.js';
import { redisCpuUs } from './cpu-time.js';
import { drive, type DriverRequest } from './load-driver.js';
import type { SlowlogAlone, SlowlogReport } from './results.js';

/** Entries the harness's own Redis keeps, all read to find the slowest (another Redis's newest this many). */
const ENTRIES_READ = 1024;

/** `redis-server` arguments of the harness's own Redis: log every command slower than the target's threshold. */
export function slowlogRedisArgs(): string[] {
  return ['--slowlog-log-slower-than', String(SLOWLOG_TARGET.thresholdMs * 1000), '--slowlog-max-len', String(ENTRIES_READ)];
}

/** Empties the SLOWLOG before a scenario. */
export async function resetSlowlog(url: string): Promise<void> {
  const redis = new Redis(url);
  await redis.slowlog('RESET');
  redis.disconnect();
}

/** An entry of `SLOWLOG GET`: id, unix time, duration in µs, the command and its arguments, and more. */
type SlowlogEntry = [number, number, number, string[], ...unknown[]];

/** How many entries SLOWLOG holds, and the slowest of those read. */
async function readLogged(redis: Redis): Promise<{ entries: number; slowest: SlowlogEntry | undefined }> {
  const entries = (await redis.slowlog('LEN')) as number;
  const logged = (await redis.slowlog('GET', ENTRIES_READ)) as SlowlogEntry[];
  const slowest = logged.reduce<SlowlogEntry | undefined>((worst, entry) => (!worst || entry[2] > worst[2] ? entry : worst), undefined);
  return { entries, slowest };
}

/** Reads what the SLOWLOG holds after a scenario. */
export async function readSlowlog(url: string, agents: number, scenario: ScenarioName): Promise<SlowlogReport> {
  const redis = new Redis(url);
  const setting = (name: string) =>
    redis.config('GET', name).then(
      (reply) => Number((reply as string[])[1]),
      () => Number.NaN,
    );
  const thresholdUs = await setting('slowlog-log-slower-than');
  const maxEntries = await setting('slowlog-max-len');
  const { entries, slowest } = await readLogged(redis);
  redis.disconnect();
  return {
    agents,
    scenario,
    thresholdMs: thresholdUs / 1000,
    entries,
    ...(entries >= maxEntries ? { entriesCapped: true } : {}),
    slowestMs: slowest ? slowest[2] / 1000 : 0,
    ...(slowest ? { slowestCommand: String(slowest[3][0]).toUpperCase() } : {}),
  };
}

/** Requests of a scenario sent again one at a time, for {@link slowlogAlone}. */
const REQUESTS_ALONE = 200;

/**
 * Sends a scenario's requests again, one at a time with nothing else running, and reads
 * what they cost Redis: its CPU time per request and the SLOWLOG they left. SLOWLOG holds wall
 * time, so while the load shares the machine's cores with Redis it also logs the time Redis was
 * not scheduled; alone, it holds what the commands themselves take.
 */
export async function slowlogAlone(url: string, origin: string, next: () => DriverRequest): Promise<SlowlogAlone> {
  const redis = new Redis(url);
  await redis.slowlog('RESET');
  const cpuBefore = await redisCpuUs(redis);
  const result = await drive({ origin, connections: 1, durationMs: Number.MAX_SAFE_INTEGER, next, stopAfter: REQUESTS_ALONE });
  const cpuUs = (await redisCpuUs(redis)) - cpuBefore;
  const { entries, slowest } = await readLogged(redis);
  redis.disconnect();
  return {
    requests: result.requests,
    redisCpuPerRequestUs: cpuUs / Math.max(1, result.requests),
    entries,
    slowestMs: slowest ? slowest[2] / 1000 : 0,
  };
}
