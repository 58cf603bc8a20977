import type { CatalogRead, CatalogSourceStore, CatalogState, HeldEntry, IngestedCatalog } from './catalog-sources.js';
import { catalogKeyOf } from './catalog-sources.js';
import { Deadlines } from './memory-agent-store.js';
import { SortedChunks } from './sorted-chunks.js';

type OwnedKey = readonly [owner: string, key: string];
const byOwnerThenKey = (a: OwnedKey, b: OwnedKey) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The ingested catalogs of the embedded store. */
export class MemoryCatalogSources implements CatalogSourceStore {
  private readonly catalogs = new Map<string, { catalog: IngestedCatalog; entries: Map<string, HeldEntry>; lastRead?: CatalogRead }>();
  private readonly reads = new Deadlines();
  private readonly allKeys = new SortedChunks<string>(byKey);
  private readonly ownedKeys = new SortedChunks<OwnedKey>(byOwnerThenKey);

  async remember(url: string, owner: string, nextReadAt: Date): Promise<IngestedCatalog> {
    const key = catalogKeyOf(url, owner);
    const catalog = { key, url, owner };
    const known = this.catalogs.get(key);
    this.catalogs.set(key, { ...known, catalog, entries: known?.entries ?? new Map() });
    this.reads.set(key, nextReadAt.getTime());
    this.allKeys.add(key);
    this.ownedKeys.add([owner, key]);
    return { ...catalog };
  }

  async due(now: Date, limit: number): Promise<IngestedCatalog[]> {
    return this.reads.due(now.getTime(), limit).flatMap((key) => {
      const known = this.catalogs.get(key);
      return known ? [{ ...known.catalog }] : [];
    });
  }

  async schedule(key: string, at: Date): Promise<void> {
    if (this.catalogs.has(key) && this.reads.at(key) !== undefined) this.reads.set(key, at.getTime());
  }

  async heldEntries(key: string): Promise<HeldEntry[]> {
    return [...(this.catalogs.get(key)?.entries.values() ?? [])].map((entry) => ({ ...entry }));
  }

  async putEntries(key: string, entries: readonly HeldEntry[]): Promise<void> {
    const held = this.catalogs.get(key)?.entries;
    for (const entry of entries) held?.set(entry.identifier, { ...entry });
  }

  async dropEntries(key: string, identifiers: readonly string[]): Promise<void> {
    const held = this.catalogs.get(key)?.entries;
    for (const identifier of identifiers) held?.delete(identifier);
  }

  async recordRead(key: string, read: CatalogRead): Promise<void> {
    const known = this.catalogs.get(key);
    if (known) known.lastRead = structuredClone(read);
  }

  async state(key: string): Promise<CatalogState | undefined> {
    const known = this.catalogs.get(key);
    if (!known) return undefined;
    const nextReadAt = this.reads.at(key);
    return {
      ...known.catalog,
      ...(known.lastRead ? { lastRead: structuredClone(known.lastRead) } : {}),
      ...(nextReadAt !== undefined ? { nextReadAt } : {}),
      entries: known.entries.size,
    };
  }

  async listKeys(options: { owner?: string; after?: string; limit: number }): Promise<string[]> {
    const keys: string[] = [];
    if (options.owner === undefined) {
      for (const key of this.allKeys.after(options.after)) {
        if (keys.length === options.limit) break;
        keys.push(key);
      }
      return keys;
    }
    for (const [owner, key] of this.ownedKeys.after([options.owner, options.after ?? ''])) {
      if (owner !== options.owner || keys.length === options.limit) break;
      keys.push(key);
    }
    return keys;
  }

  async someEntries(key: string, limit: number): Promise<HeldEntry[]> {
    const entries: HeldEntry[] = [];
    for (const entry of this.catalogs.get(key)?.entries.values() ?? []) {
      if (entries.length === limit) break;
      entries.push({ ...entry });
    }
    return entries;
  }

  async unschedule(key: string): Promise<void> {
    this.reads.delete(key);
  }

  async forget(key: string): Promise<void> {
    const known = this.catalogs.get(key);
    if (!known) return;
    this.catalogs.delete(key);
    this.reads.delete(key);
    this.allKeys.delete(key);
    this.ownedKeys.delete([known.catalog.owner, key]);
  }
}
