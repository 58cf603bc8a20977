import { catalogKeyOf, type CatalogSourceStore, type HeldEntry, type IngestedCatalog } from './catalog-sources.js';
import { Deadlines } from './memory-agent-store.js';

/** The ingested catalogs of the embedded store. */
export class MemoryCatalogSources implements CatalogSourceStore {
  private readonly catalogs = new Map<string, { catalog: IngestedCatalog; entries: Map<string, HeldEntry> }>();
  private readonly reads = new Deadlines();

  async remember(url: string, owner: string, nextReadAt: Date): Promise<IngestedCatalog> {
    const key = catalogKeyOf(url, owner);
    const catalog = { key, url, owner };
    const known = this.catalogs.get(key);
    this.catalogs.set(key, { catalog, entries: known?.entries ?? new Map() });
    this.reads.set(key, nextReadAt.getTime());
    return { ...catalog };
  }

  async due(now: Date, limit: number): Promise<IngestedCatalog[]> {
    return this.reads.due(now.getTime(), limit).flatMap((key) => {
      const known = this.catalogs.get(key);
      return known ? [{ ...known.catalog }] : [];
    });
  }

  async schedule(key: string, at: Date): Promise<void> {
    if (this.catalogs.has(key)) this.reads.set(key, at.getTime());
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
}
