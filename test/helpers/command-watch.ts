import { Redis } from 'ioredis';

/** One command MONITOR showed: its arguments, and `lua` as the source when a script ran it. */
export interface SeenCommand {
  args: string[];
  source: string;
}

/** A script run is one command whether ioredis sent it by digest or, the first time on a connection, in full. */
export const commandName = (command: SeenCommand): string => (command.args[0] ?? '').toLowerCase().replace(/^eval$/, 'evalsha');

/**
 * Watches with MONITOR the commands sent to one database of the test Redis, so that a registry
 * given that database alone can have the cost of each request counted. The data set epoch watch
 * reads its key every second whatever the requests: those reads are not counted (a script that
 * reads the epoch for a request still is).
 */
export class CommandWatch {
  /** Every command seen since the watch started, markers and epoch reads excluded. */
  readonly everything: SeenCommand[] = [];
  private window: SeenCommand[] | undefined;
  private readonly waiting = new Map<string, () => void>();
  private markers = 0;

  private constructor(
    private readonly redis: Redis,
    private readonly monitor: Redis,
  ) {}

  /** Starts watching database `db` of `url` for a registry whose keys start with `prefix`. */
  static async start(url: URL, db: number, prefix: string): Promise<CommandWatch> {
    const redis = new Redis(url.toString(), { maxRetriesPerRequest: 1 });
    const watch = new CommandWatch(redis, await redis.monitor());
    watch.monitor.on('monitor', (_time: string, args: string[], source: string, database: string) => {
      if (Number(database) !== db) return;
      const marker = (args[0] ?? '').toLowerCase() === 'echo' ? args[1] : undefined;
      if (marker && watch.waiting.has(marker)) {
        const resolve = watch.waiting.get(marker);
        watch.waiting.delete(marker);
        resolve?.();
        return;
      }
      if (source !== 'lua' && args[1] === `${prefix}epoch`) return;
      const seen = { args, source };
      watch.everything.push(seen);
      watch.window?.push(seen);
    });
    return watch;
  }

  /** The connection the watch marks with: on the watched database, for the test's own reads. */
  get connection(): Redis {
    return this.redis;
  }

  /** Resolves once MONITOR has delivered every command executed before now. */
  async settle(): Promise<void> {
    const marker = `a2a-monitor-marker-${this.markers++}`;
    const seen = new Promise<void>((resolve) => this.waiting.set(marker, resolve));
    await this.redis.echo(marker);
    await seen;
  }

  /** Runs one HTTP request, reads its body, and answers it with the Redis commands it caused. */
  async commandsOf(request: () => Promise<Response>): Promise<{ res: Response; commands: SeenCommand[] }> {
    await this.settle();
    const commands: SeenCommand[] = [];
    this.window = commands;
    const res = await request();
    await res.clone().arrayBuffer();
    await this.settle();
    this.window = undefined;
    return { res, commands };
  }

  close(): void {
    this.monitor.disconnect();
    this.redis.disconnect();
  }
}
