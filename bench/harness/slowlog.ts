import { Redis } from 'ioredis';
import { SLOWLOG_TARGET, type ScenarioName } from '../scenarios.js';
import type { SlowlogReport } from './results.js';

/** Entries read to find the slowest. */
const ENTRIES_READ = 128;

/** `redis-server` arguments of the harness's own Redis: log every command slower than the target's threshold. */
export function slowlogRedisArgs(): string[] {
  return ['--slowlog-log-slower-than', String(SLOWLOG_TARGET.thresholdMs * 1000), '--slowlog-max-len', '1024'];
}

/** Empties the SLOWLOG before a scenario. */
export async function resetSlowlog(url: string): Promise<void> {
  const redis = new Redis(url);
  await redis.slowlog('RESET');
  redis.disconnect();
}

/** An entry of `SLOWLOG GET`: id, unix time, duration in µs, the command and its arguments, and more. */
type SlowlogEntry = [number, number, number, string[], ...unknown[]];

/** Reads what the SLOWLOG holds after a scenario. */
export async function readSlowlog(url: string, agents: number, scenario: ScenarioName): Promise<SlowlogReport> {
  const redis = new Redis(url);
  const thresholdUs = await redis.config('GET', 'slowlog-log-slower-than').then(
    (reply) => Number((reply as string[])[1]),
    () => Number.NaN,
  );
  const entries = (await redis.slowlog('LEN')) as number;
  const logged = (await redis.slowlog('GET', ENTRIES_READ)) as SlowlogEntry[];
  redis.disconnect();
  const slowest = logged.reduce<SlowlogEntry | undefined>((worst, entry) => (!worst || entry[2] > worst[2] ? entry : worst), undefined);
  return {
    agents,
    scenario,
    thresholdMs: thresholdUs / 1000,
    entries,
    slowestMs: slowest ? slowest[2] / 1000 : 0,
    ...(slowest ? { slowestCommand: String(slowest[3][0]).toUpperCase() } : {}),
  };
}
