import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';

/** The URL of the real Redis the global setup found or started. */
export const redisUrl = (): string => inject('redisUrl');

/** A key prefix of this test's own, with a hash tag, so tests never touch each other's keys. */
export const uniquePrefix = (): string => `a2a-test:{${randomUUID()}}:`;

/** Deletes every key under `prefix`; a test helper, never used on a request path. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

export function connect(): Redis {
  return new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
}

/**
 * Resolves once a MONITOR connection has delivered every command run before now: `redis` sends a
 * marker, and the monitor's feed shows it after everything that came first.
 */
export async function monitorCaughtUp(redis: Redis, monitor: Redis): Promise<void> {
  const marker = `monitor-marker-${Math.random()}`;
  const seen = new Promise<void>((resolve) => {
    const onCommand = (_time: string, args: string[]) => {
      if (args[0] === 'echo' && args[1] === marker) {
        monitor.off('monitor', onCommand);
        resolve();
      }
    };
    monitor.on('monitor', onCommand);
  });
  await redis.echo(marker);
  await seen;
}

/**
 * The commands that name a key under one prefix, as MONITOR shows them, gathered while a test asks
 * for them: for counting what one store call costs.
 */
export class PrefixCommands {
  private window: string[][] | undefined;

  private constructor(
    private readonly redis: Redis,
    private readonly monitor: Redis,
  ) {}

  /** Starts watching, through a MONITOR connection of its own, what `redis`'s server runs on keys under `prefix`. */
  static async watch(redis: Redis, prefix: string): Promise<PrefixCommands> {
    const watch = new PrefixCommands(redis, await redis.monitor());
    watch.monitor.on('monitor', (_time: string, args: string[]) => {
      if (args.some((arg) => String(arg).startsWith(prefix))) watch.window?.push(args.map(String));
    });
    return watch;
  }

  /** `run`'s answer, and every command it caused on the prefix's keys: the name lower-cased, then its arguments. */
  async during<T>(run: () => Promise<T>): Promise<{ result: T; commands: string[][] }> {
    await monitorCaughtUp(this.redis, this.monitor);
    const commands: string[][] = [];
    this.window = commands;
    const result = await run();
    await monitorCaughtUp(this.redis, this.monitor);
    this.window = undefined;
    return { result, commands: commands.map(([name, ...args]) => [(name ?? '').toLowerCase(), ...args]) };
  }

  close(): void {
    this.monitor.disconnect();
  }
}
