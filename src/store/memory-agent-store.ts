import type { AgentRecord, AgentWrite, SaveOptions, SaveResult } from './agent-record.js';
import type { AgentStore } from './agent-store.js';
import { refusedWrite } from './store-outcome.js';

interface Entry {
  record: AgentRecord;
  terms: readonly string[];
}

/** Index of the first element of a sorted array that is greater than `value`. */
function upperBound(sorted: readonly string[], value: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid] as string) <= value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The embedded store for a single process without Redis: the same contract, kept in memory. */
export class MemoryAgentStore implements AgentStore {
  readonly kind = 'memory';
  private readonly entries = new Map<string, Entry>();
  private readonly indexes = new Map<string, Set<string>>();
  private readonly sortedIds: string[] = [];
  private lastRevision = 0;

  async save(write: AgentWrite, options: SaveOptions = {}): Promise<SaveResult> {
    const existing = this.entries.get(write.id);
    const currentRevision = existing?.record.revision ?? 0;
    if (existing && options.mustNotExist) throw refusedWrite('conflict', write.id, currentRevision);
    if (options.expectedRevision !== undefined && options.expectedRevision !== currentRevision) {
      throw refusedWrite('stale', write.id, currentRevision);
    }
    this.moveMemberships(write.id, existing?.terms ?? [], write.terms);
    if (!existing) this.sortedIds.splice(upperBound(this.sortedIds, write.id), 0, write.id);
    const record: AgentRecord = {
      id: write.id,
      card: write.card,
      summary: structuredClone(write.summary),
      revision: ++this.lastRevision,
      createdAt: existing?.record.createdAt ?? write.now,
      updatedAt: write.now,
      status: 'active',
    };
    this.entries.set(write.id, { record, terms: [...write.terms] });
    return { record: structuredClone(record), created: !existing };
  }

  async get(id: string): Promise<AgentRecord | null> {
    const entry = this.entries.get(id);
    return entry ? structuredClone(entry.record) : null;
  }

  async getMany(ids: readonly string[]): Promise<AgentRecord[]> {
    return ids.flatMap((id) => {
      const entry = this.entries.get(id);
      return entry ? [structuredClone(entry.record)] : [];
    });
  }

  async delete(id: string, expectedRevision?: number): Promise<number> {
    const existing = this.entries.get(id);
    if (!existing) throw refusedWrite('missing', id, 0);
    if (expectedRevision !== undefined && expectedRevision !== existing.record.revision) {
      throw refusedWrite('stale', id, existing.record.revision);
    }
    this.moveMemberships(id, existing.terms, []);
    this.entries.delete(id);
    this.sortedIds.splice(upperBound(this.sortedIds, id) - 1, 1);
    return existing.record.revision;
  }

  async listIds(after: string | undefined, limit: number): Promise<string[]> {
    const start = after === undefined ? 0 : upperBound(this.sortedIds, after);
    return this.sortedIds.slice(start, start + limit);
  }

  async intersect(terms: readonly string[]): Promise<string[]> {
    const sets = terms.map((t) => this.indexes.get(t) ?? new Set<string>());
    if (sets.length === 0) return [];
    sets.sort((a, b) => a.size - b.size);
    const [smallest, ...others] = sets as [Set<string>, ...Set<string>[]];
    return [...smallest].filter((id) => others.every((set) => set.has(id)));
  }

  async count(): Promise<number> {
    return this.entries.size;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}

  private moveMemberships(id: string, from: readonly string[], to: readonly string[]): void {
    const wanted = new Set(to);
    for (const t of from) {
      if (wanted.has(t)) continue;
      const set = this.indexes.get(t);
      set?.delete(id);
      if (set?.size === 0) this.indexes.delete(t);
    }
    for (const t of wanted) {
      let set = this.indexes.get(t);
      if (!set) this.indexes.set(t, (set = new Set()));
      set.add(id);
    }
  }
}
