import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { RecordCache } from './record-cache.js';

export interface InvalidationSubscriberOptions {
  /** A connection of its own: once subscribed it can run no other command. */
  connection: Redis;
  channel: string;
  cache: RecordCache;
  logger: Logger;
  /** Called with the seconds between a write and the moment this replica dropped its entry. */
  onInvalidation?(lagSeconds: number): void;
}

/**
 * Feeds the invalidations every write publishes (`id revision writtenAtMs`) into the replica's
 * cache. Whenever the subscription is not live the cache is suspended and empty, so a message
 * missed while disconnected can never leave a stale entry behind.
 */
export class InvalidationSubscriber {
  private subscribed = false;

  constructor(private readonly options: InvalidationSubscriberOptions) {
    const { connection, cache, logger } = options;
    cache.suspend();
    connection.on('message', (channel: string, message: string) => this.receive(channel, message));
    connection.on('ready', () => void this.subscribe());
    for (const event of ['close', 'end', 'reconnecting'] as const) {
      connection.on(event, () => {
        if (this.subscribed) logger.warn('Invalidation feed lost: cache suspended until it is back');
        this.subscribed = false;
        cache.suspend();
      });
    }
    connection.on('error', () => {});
    if (connection.status === 'ready') void this.subscribe();
  }

  /** Whether invalidations are flowing, so the cache may be used. */
  get isLive(): boolean {
    return this.subscribed;
  }

  async close(): Promise<void> {
    this.subscribed = false;
    this.options.cache.suspend();
    await this.options.connection.quit().catch(() => this.options.connection.disconnect());
  }

  private async subscribe(): Promise<void> {
    try {
      await this.options.connection.subscribe(this.options.channel);
      this.options.cache.resume();
      this.subscribed = true;
      this.options.logger.debug({ channel: this.options.channel }, 'Invalidation feed live');
    } catch (error) {
      this.options.logger.warn({ err: error }, 'Could not subscribe to invalidations; retrying on reconnect');
    }
  }

  private receive(channel: string, message: string): void {
    if (channel !== this.options.channel) return;
    const [id, revision, writtenAt] = message.split(' ');
    if (!id) return;
    this.options.cache.invalidate(id, Number(revision) || Number.MAX_SAFE_INTEGER);
    const sentAt = Number(writtenAt);
    if (Number.isFinite(sentAt) && sentAt > 0) this.options.onInvalidation?.(Math.max(0, Date.now() - sentAt) / 1000);
  }
}
