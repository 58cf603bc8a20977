import type { ExtensionEntry, ExtensionPage, ExtensionQuery, TrustLevel } from './extension-catalog.js';
import { EXTENSION_WALK_BUDGET } from './extension-catalog.js';
import type { MemoryTermIndex } from './memory-term-index.js';
import { SortedChunks } from './sorted-chunks.js';

const EXTENSION_KIND = 'ext:';

/** What the catalog keeps of an extension; who declares it is the index's to say. */
interface Kept {
  firstSeen: string;
  lastSeen: string;
  firstDeclaredBy: string;
  trustLevel: TrustLevel;
}

const byUri = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The embedded store's extension catalog, kept as `lua/lib/extension-catalog.lua` keeps Redis's. */
export class MemoryExtensionCatalog {
  private readonly kept = new Map<string, Kept>();
  private readonly uris = new SortedChunks(byUri);

  constructor(private readonly index: MemoryTermIndex) {}

  /** Records the extensions among a saved card's terms, seen at `now` (ISO). */
  declared(terms: readonly string[], now: string, id: string): void {
    for (const term of terms) {
      if (!term.startsWith(EXTENSION_KIND)) continue;
      const uri = term.slice(EXTENSION_KIND.length);
      const kept = this.kept.get(uri);
      if (kept) kept.lastSeen = now;
      else this.kept.set(uri, { firstSeen: now, lastSeen: now, firstDeclaredBy: id, trustLevel: 'unverified' });
      this.uris.add(uri);
    }
  }

  /** Drops the extensions among `terms` that no agent declares any more (after the index moved). */
  forgetUnused(terms: readonly string[]): void {
    for (const term of terms) {
      if (!term.startsWith(EXTENSION_KIND) || this.index.size(term) > 0) continue;
      const uri = term.slice(EXTENSION_KIND.length);
      this.kept.delete(uri);
      this.uris.delete(uri);
    }
  }

  list(query: ExtensionQuery): ExtensionPage {
    const entries: ExtensionEntry[] = [];
    let work = 0;
    let last = '';
    for (const uri of this.uris.after(query.after)) {
      if (entries.length === query.wanted) break;
      if (work === EXTENSION_WALK_BUDGET) return { entries, stoppedAt: last, catalogSize: this.uris.size, work };
      work++;
      last = uri;
      const entry = this.entryOf(uri);
      if (query.uriContains !== undefined && !uri.includes(query.uriContains)) continue;
      if (query.trustLevels.length > 0 && !query.trustLevels.includes(entry.trustLevel)) continue;
      entries.push(entry);
    }
    return { entries, catalogSize: this.uris.size, work };
  }

  get(uris: readonly string[]): ExtensionEntry[] {
    return uris.filter((uri) => this.kept.has(uri)).map((uri) => this.entryOf(uri));
  }

  setTrust(uri: string, level: TrustLevel): ExtensionEntry | null {
    const kept = this.kept.get(uri);
    if (!kept) return null;
    kept.trustLevel = level;
    return this.entryOf(uri);
  }

  private entryOf(uri: string): ExtensionEntry {
    const kept = this.kept.get(uri) as Kept;
    return {
      uri,
      declaringAgents: this.index.size(EXTENSION_KIND + uri),
      requiringAgents: this.index.size(`extreq:${uri}`),
      ...kept,
    };
  }
}
