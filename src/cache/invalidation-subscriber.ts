import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { closeRedis } from '../store/redis-connection.js';
import type { RecordCache } from './record-cache.js';
import { comparePositions, isPosition, START_POSITION } from '../store/change-log.js';

export interface InvalidationSubscriberOptions {
  /** A connection of its own: once subscribed it can run no other command. */
  connection: Redis;
  channel: string;
  cache: RecordCache;
  logger: Logger;
  /** Called with the seconds between a write and the moment this replica dropped its entry. */
  onInvalidation?(lagSeconds: number): void;
  /**
   * Reads the position of the change log's last event: once subscribed, before the cache resumes,
   * so that what the cache covers is known from the start (see `coveredThrough`).
   */
  readLastChange(): Promise<string>;
  /**
   * Other memory of the replica that must drop an agent's entry on each write to it, and every
   * entry whenever the feed goes down or comes back: a write missed meanwhile may have changed any.
   * @defaultValue none
   */
  alsoForgets?: { forget(id: string): void; forgetAll(): void };
}

/**
 * Feeds the invalidations every write publishes (`id revision writtenAtMs`) into the replica's
 * cache. Whenever the subscription is not live the cache is suspended and empty, so a message
 * missed while disconnected can never leave a stale entry behind.
 */
export class InvalidationSubscriber {
  private subscribed = false;
  private covered: string | undefined;

  constructor(private readonly options: InvalidationSubscriberOptions) {
    const { connection, cache, logger } = options;
    cache.suspend();
    connection.on('message', (channel: string, message: string) => this.receive(channel, message));
    connection.on('ready', () => void this.subscribe());
    for (const event of ['close', 'end', 'reconnecting'] as const) {
      connection.on(event, () => {
        // Info: the outage behind it is warned of once (RedisHealth); the cache recovers by itself.
        if (this.subscribed) logger.info('Invalidation feed lost: cache suspended until it is back');
        this.subscribed = false;
        this.covered = undefined;
        cache.suspend();
        options.alsoForgets?.forgetAll();
      });
    }
    connection.on('error', () => {});
    if (connection.status === 'ready') void this.subscribe();
  }

  /** Whether invalidations are flowing, so the cache may be used. */
  get isLive(): boolean {
    return this.subscribed;
  }

  /**
   * While the cache is in use, the change log position through which it has applied every
   * change: what it holds is no older than the events up to there. Undefined while it is not in
   * use (reads then go to Redis).
   */
  get coveredThrough(): string | undefined {
    return this.subscribed ? this.covered : undefined;
  }

  async close(): Promise<void> {
    this.subscribed = false;
    this.options.cache.suspend();
    await closeRedis(this.options.connection);
  }

  private async subscribe(): Promise<void> {
    try {
      await this.options.connection.subscribe(this.options.channel);
      // Messages that arrive meanwhile move `covered` on; a failed read leaves it at the start, which is safe.
      const last = await this.options.readLastChange().catch(() => START_POSITION);
      if (this.covered === undefined || comparePositions(last, this.covered) > 0) this.covered = last;
      this.options.cache.resume();
      this.options.alsoForgets?.forgetAll();
      this.subscribed = true;
      this.options.logger.debug({ channel: this.options.channel }, 'Invalidation feed live');
    } catch (error) {
      this.options.logger.warn({ err: error }, 'Could not subscribe to invalidations; retrying on reconnect');
    }
  }

  /** A message as every write script publishes it (`recordChange` in store/lua/lib/changes.lua). */
  private receive(channel: string, message: string): void {
    if (channel !== this.options.channel) return;
    const [id, revision, writtenAt, position] = message.split(' ');
    if (!id) return;
    this.options.cache.invalidate(id, Number(revision) || Number.MAX_SAFE_INTEGER);
    this.options.alsoForgets?.forget(id);
    if (position !== undefined && isPosition(position)) this.covered = position;
    const sentAt = Number(writtenAt);
    if (Number.isFinite(sentAt) && sentAt > 0) this.options.onInvalidation?.(Math.max(0, Date.now() - sentAt) / 1000);
  }
}
