import type { Redis } from 'ioredis';
import { StorageUnavailableError } from '../errors.js';
import {
  catalogKeyOf,
  heldEntryOf,
  heldEntryText,
  type CatalogRead,
  type CatalogSourceStore,
  type CatalogState,
  type HeldEntry,
  type IngestedCatalog,
} from './catalog-sources.js';
import { readLua } from './redis-agent-store.js';
import type { RedisKeys } from './redis-keys.js';
import { guardStorage } from './storage-failures.js';

interface CatalogCommands {
  recordCatalogRead(catalog: string, read: string): Promise<number>;
  putCatalogEntries(catalog: string, entries: string, ...pairs: string[]): Promise<number>;
}

/** Entries per HSET, HDEL or HSCAN step: each command stays small however large the catalog. */
const ENTRIES_PER_COMMAND = 500;

/** The ingested catalogs in Redis: a schedule of reads, a hash per catalog and a hash of its entries. */
export class RedisCatalogSources implements CatalogSourceStore {
  private readonly redis: Redis & CatalogCommands;

  constructor(
    redis: Redis,
    private readonly keys: RedisKeys,
  ) {
    if (!('recordCatalogRead' in redis)) redis.defineCommand('recordCatalogRead', { numberOfKeys: 1, lua: readLua('record-catalog-read') });
    if (!('putCatalogEntries' in redis)) redis.defineCommand('putCatalogEntries', { numberOfKeys: 2, lua: readLua('put-catalog-entries') });
    this.redis = redis as Redis & CatalogCommands;
  }


  async remember(url: string, owner: string, nextReadAt: Date): Promise<IngestedCatalog> {
    const key = catalogKeyOf(url, owner);
    await guardStorage(
      () =>
        this.redis
          .multi()
          .hset(this.keys.catalog(key), 'url', url, 'owner', owner)
          .zadd(this.keys.catalogReads, nextReadAt.getTime(), key)
          .zadd(this.keys.catalogKeys, 0, key)
          .zadd(this.keys.catalogsOwnedBy(owner), 0, key)
          .exec(),
      true,
    );
    return { key, url, owner };
  }

  async due(now: Date, limit: number): Promise<IngestedCatalog[]> {
    const keys = await guardStorage(() => this.redis.zrangebyscore(this.keys.catalogReads, '-inf', now.getTime(), 'LIMIT', 0, limit));
    if (keys.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.hmget(this.keys.catalog(key), 'url', 'owner');
    const replies = (await guardStorage(() => pipeline.exec())) ?? [];
    return keys.flatMap((key, index) => {
      const [error, values] = replies[index] ?? [];
      if (error) throw new StorageUnavailableError(error);
      const [url, owner] = values as (string | null)[];
      return url && owner !== null && owner !== undefined ? [{ key, url, owner }] : [];
    });
  }

  async schedule(key: string, at: Date): Promise<void> {
    await guardStorage(() => this.redis.zadd(this.keys.catalogReads, 'XX', at.getTime(), key), true);
  }

  async heldEntries(key: string): Promise<HeldEntry[]> {
    const entries: HeldEntry[] = [];
    let cursor = '0';
    do {
      const [next, fields] = await guardStorage(() => this.redis.hscan(this.keys.catalogEntries(key), cursor, 'COUNT', ENTRIES_PER_COMMAND));
      for (let i = 0; i + 1 < fields.length; i += 2) entries.push(heldEntryOf(fields[i] as string, fields[i + 1] as string));
      cursor = next;
    } while (cursor !== '0');
    // HSCAN may return a field twice across steps.
    return [...new Map(entries.map((entry) => [entry.identifier, entry])).values()];
  }

  async putEntries(key: string, entries: readonly HeldEntry[]): Promise<void> {
    for (let at = 0; at < entries.length; at += ENTRIES_PER_COMMAND) {
      const pairs = entries.slice(at, at + ENTRIES_PER_COMMAND).flatMap((entry) => [entry.identifier, heldEntryText(entry)]);
      await guardStorage(() => this.redis.putCatalogEntries(this.keys.catalog(key), this.keys.catalogEntries(key), ...pairs), true);
    }
  }

  async dropEntries(key: string, identifiers: readonly string[]): Promise<void> {
    for (let at = 0; at < identifiers.length; at += ENTRIES_PER_COMMAND) {
      const some = identifiers.slice(at, at + ENTRIES_PER_COMMAND);
      await guardStorage(() => this.redis.hdel(this.keys.catalogEntries(key), ...some), true);
    }
  }

  async recordRead(key: string, read: CatalogRead): Promise<void> {
    await guardStorage(() => this.redis.recordCatalogRead(this.keys.catalog(key), JSON.stringify(read)), true);
  }

  async state(key: string): Promise<CatalogState | undefined> {
    const replies = await guardStorage(() =>
      this.redis.multi().hmget(this.keys.catalog(key), 'url', 'owner', 'lastRead').zscore(this.keys.catalogReads, key).hlen(this.keys.catalogEntries(key)).exec(),
    );
    const [fields, nextReadAt, entries] = (replies ?? []).map(([error, reply]) => {
      if (error) throw new StorageUnavailableError(error);
      return reply;
    });
    const [url, owner, lastRead] = (fields ?? []) as (string | null)[];
    if (!url || owner === null || owner === undefined) return undefined;
    return {
      key,
      url,
      owner,
      ...(lastRead ? { lastRead: JSON.parse(lastRead) as CatalogRead } : {}),
      ...(nextReadAt !== null && nextReadAt !== undefined ? { nextReadAt: Number(nextReadAt) } : {}),
      entries: Number(entries ?? 0),
    };
  }

  async listKeys(options: { owner?: string; after?: string; limit: number }): Promise<string[]> {
    const index = options.owner === undefined ? this.keys.catalogKeys : this.keys.catalogsOwnedBy(options.owner);
    const from = options.after === undefined ? '-' : `(${options.after}`;
    return guardStorage(() => this.redis.zrangebylex(index, from, '+', 'LIMIT', 0, options.limit));
  }

  async someEntries(key: string, limit: number): Promise<HeldEntry[]> {
    // HRANDFIELD with a positive count: up to `limit` distinct fields, O(limit), never a walk of the hash.
    const fields = (await guardStorage(() => this.redis.hrandfield(this.keys.catalogEntries(key), limit, 'WITHVALUES'))) as string[];
    const entries: HeldEntry[] = [];
    for (let i = 0; i + 1 < fields.length; i += 2) entries.push(heldEntryOf(fields[i] as string, fields[i + 1] as string));
    return entries;
  }

  async unschedule(key: string): Promise<void> {
    await guardStorage(() => this.redis.zrem(this.keys.catalogReads, key), true);
  }

  async forget(key: string): Promise<void> {
    const owner = await guardStorage(() => this.redis.hget(this.keys.catalog(key), 'owner'));
    const forget = this.redis.multi().zrem(this.keys.catalogReads, key).zrem(this.keys.catalogKeys, key);
    if (owner !== null) forget.zrem(this.keys.catalogsOwnedBy(owner), key);
    // UNLINK frees a catalog's entries (up to the ingest's entry budget) off the command thread.
    await guardStorage(() => forget.unlink(this.keys.catalog(key), this.keys.catalogEntries(key)).exec(), true);
  }
}
