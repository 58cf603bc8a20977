import type { Redis } from 'ioredis';
import { AppError, StorageUnavailableError, WriteOutcomeUnknownError } from '../errors.js';
import { catalogKeyOf, heldEntryOf, heldEntryText, type CatalogSourceStore, type HeldEntry, type IngestedCatalog } from './catalog-sources.js';
import type { RedisKeys } from './redis-keys.js';

/** Entries per HSET, HDEL or HSCAN step: each command stays small however large the catalog. */
const ENTRIES_PER_COMMAND = 500;

/** The ingested catalogs in Redis: a schedule of reads, a hash per catalog and a hash of its entries. */
export class RedisCatalogSources implements CatalogSourceStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Redis failures as 503s, as the agent store answers them; a write that may have run says so. */
  private async guard<T>(operation: () => Promise<T>, write = false): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw write ? new WriteOutcomeUnknownError(error) : new StorageUnavailableError(error);
    }
  }

  async remember(url: string, owner: string, nextReadAt: Date): Promise<IngestedCatalog> {
    const key = catalogKeyOf(url, owner);
    await this.guard(
      () =>
        this.redis
          .multi()
          .hset(this.keys.catalog(key), 'url', url, 'owner', owner)
          .zadd(this.keys.catalogReads, nextReadAt.getTime(), key)
          .exec(),
      true,
    );
    return { key, url, owner };
  }

  async due(now: Date, limit: number): Promise<IngestedCatalog[]> {
    const keys = await this.guard(() => this.redis.zrangebyscore(this.keys.catalogReads, '-inf', now.getTime(), 'LIMIT', 0, limit));
    if (keys.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.hmget(this.keys.catalog(key), 'url', 'owner');
    const replies = (await this.guard(() => pipeline.exec())) ?? [];
    return keys.flatMap((key, index) => {
      const [error, values] = replies[index] ?? [];
      if (error) throw new StorageUnavailableError(error);
      const [url, owner] = values as (string | null)[];
      return url && owner !== null && owner !== undefined ? [{ key, url, owner }] : [];
    });
  }

  async schedule(key: string, at: Date): Promise<void> {
    await this.guard(() => this.redis.zadd(this.keys.catalogReads, 'XX', at.getTime(), key), true);
  }

  async heldEntries(key: string): Promise<HeldEntry[]> {
    const entries: HeldEntry[] = [];
    let cursor = '0';
    do {
      const [next, fields] = await this.guard(() => this.redis.hscan(this.keys.catalogEntries(key), cursor, 'COUNT', ENTRIES_PER_COMMAND));
      for (let i = 0; i + 1 < fields.length; i += 2) entries.push(heldEntryOf(fields[i] as string, fields[i + 1] as string));
      cursor = next;
    } while (cursor !== '0');
    // HSCAN may return a field twice across steps.
    return [...new Map(entries.map((entry) => [entry.identifier, entry])).values()];
  }

  async putEntries(key: string, entries: readonly HeldEntry[]): Promise<void> {
    for (let at = 0; at < entries.length; at += ENTRIES_PER_COMMAND) {
      const pairs = entries.slice(at, at + ENTRIES_PER_COMMAND).flatMap((entry) => [entry.identifier, heldEntryText(entry)]);
      await this.guard(() => this.redis.hset(this.keys.catalogEntries(key), ...pairs), true);
    }
  }

  async dropEntries(key: string, identifiers: readonly string[]): Promise<void> {
    for (let at = 0; at < identifiers.length; at += ENTRIES_PER_COMMAND) {
      const some = identifiers.slice(at, at + ENTRIES_PER_COMMAND);
      await this.guard(() => this.redis.hdel(this.keys.catalogEntries(key), ...some), true);
    }
  }
}
