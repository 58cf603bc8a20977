import {
  keptSummaryOf,
  type Actor,
  type AgentRecord,
  type AgentWrite,
  type CardReader,
  type HeartbeatResult,
  type IdPage,
  type KeptSummary,
  type PreviousCard,
  type SaveOptions,
  type SaveResult,
} from './agent-record.js';
import type { AgentStore, TermSearch, TermSearchPage } from './agent-store.js';
import { MemoryTermIndex } from './memory-term-index.js';
import { SortedChunks } from './sorted-chunks.js';
import { mayChange, refusedWrite } from './store-outcome.js';
import { DEFAULT_INDEX_TUNING, INACTIVE_TERM, type IndexTuning } from './term-layout.js';

/** A record as kept: without the summary fields its card holds (see CardReader), so they are not kept twice. */
type StoredRecord = Omit<AgentRecord, 'summary'> & { kept: KeptSummary };

interface Entry {
  record: StoredRecord;
  agentNumber: number;
}

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A deadline of one id: ordered by time, then by id. */
type Due = readonly [at: number, id: string];
const byDue = (a: Due, b: Due) => a[0] - b[0] || byId(a[1], b[1]);

/** Ids by a deadline in milliseconds, kept in deadline order: the due ones are read from the front. */
class Deadlines {
  private readonly byId = new Map<string, number>();
  private readonly ordered = new SortedChunks<Due>(byDue);

  set(id: string, at: number): void {
    this.delete(id);
    this.byId.set(id, at);
    this.ordered.add([at, id]);
  }

  delete(id: string): void {
    const at = this.byId.get(id);
    if (at === undefined) return;
    this.byId.delete(id);
    this.ordered.delete([at, id]);
  }

  /** Up to `limit` ids due by `now`, soonest first. */
  due(now: number, limit: number): string[] {
    const due: string[] = [];
    for (const [at, id] of this.ordered.after()) {
      if (at > now || due.length === limit) break;
      due.push(id);
    }
    return due;
  }
}

/** The embedded store for a single process without Redis: the same contract, kept in memory. */
export class MemoryAgentStore implements AgentStore {
  readonly kind = 'memory';
  private readonly entries = new Map<string, Entry>();
  private readonly index: MemoryTermIndex;
  private readonly idsByNumber = new Map<number, string>();
  private lastAgentNumber = 0;
  private readonly allIds = new SortedChunks(byId);
  private readonly activeIds = new SortedChunks(byId);
  private readonly liveness = new Deadlines();
  private readonly purges = new Deadlines();
  private readonly refreshes = new Deadlines();
  private readonly previous = new Map<string, PreviousCard>();
  private lastRevision = 0;

  constructor(
    /** Reads a stored card's index terms and summary: entries keep no copy of them. */
    private readonly cards: CardReader,
    /** The search budgets. @defaultValue {@link DEFAULT_INDEX_TUNING} */
    tuning: Readonly<IndexTuning> = DEFAULT_INDEX_TUNING,
  ) {
    this.index = new MemoryTermIndex(tuning);
  }

  /** A record as readers get it: a copy of their own, summary and all. */
  private recordOf({ kept, ...record }: StoredRecord): AgentRecord {
    return { ...record, summary: this.cards.summaryOf(record.card, kept) };
  }

  private termsOfEntry({ record }: Entry): string[] {
    const terms = this.cards.termsOf(record.card, record.kept);
    if (record.status === 'inactive') terms.push(INACTIVE_TERM);
    return terms;
  }

  async save(write: AgentWrite, options: SaveOptions = {}): Promise<SaveResult> {
    const existing = this.entries.get(write.id);
    const currentRevision = existing?.record.revision ?? 0;
    if (existing && !mayChange(existing.record.owner, write.actor)) throw refusedWrite('forbidden', write.id, currentRevision);
    if (existing && options.mustNotExist) throw refusedWrite('conflict', write.id, currentRevision);
    if (options.expectedRevision !== undefined && (!existing || options.expectedRevision !== currentRevision)) {
      throw refusedWrite('stale', write.id, currentRevision);
    }
    const ttlSeconds = write.ttlSeconds ?? existing?.record.ttlSeconds ?? write.defaultTtlSeconds ?? 0;
    const record: StoredRecord = {
      id: write.id,
      card: write.card,
      kept: keptSummaryOf(write.summary),
      revision: ++this.lastRevision,
      createdAt: existing?.record.createdAt ?? write.now,
      updatedAt: write.now,
      status: 'active',
      ttlSeconds,
      owner: existing?.record.owner ?? write.actor.id,
      ...(write.source ? { sourceUrl: write.source.url } : {}),
    };
    this.keepSource(write, existing?.record);
    const previous = this.previous.get(write.id);
    if (previous) record.previousRevision = previous.revision;
    const agentNumber = existing?.agentNumber ?? ++this.lastAgentNumber;
    this.idsByNumber.set(agentNumber, write.id);
    this.index.move(agentNumber, existing ? this.termsOfEntry(existing) : [], write.terms);
    this.entries.set(write.id, { record, agentNumber });
    this.allIds.add(write.id);
    this.activeIds.add(write.id);
    this.purges.delete(write.id);
    if (ttlSeconds > 0) this.liveness.set(write.id, Date.parse(write.now) + ttlSeconds * 1000);
    else this.liveness.delete(write.id);
    return { record: this.recordOf(record), created: !existing };
  }

  async get(id: string): Promise<AgentRecord | null> {
    const entry = this.entries.get(id);
    return entry ? this.recordOf(entry.record) : null;
  }

  async getMany(ids: readonly string[]): Promise<AgentRecord[]> {
    return ids.flatMap((id) => {
      const entry = this.entries.get(id);
      return entry ? [this.recordOf(entry.record)] : [];
    });
  }

  async delete(id: string, expectedRevision?: number, actor?: Actor): Promise<number> {
    const existing = this.entries.get(id);
    if (!existing) throw refusedWrite('missing', id, 0);
    if (!mayChange(existing.record.owner, actor)) throw refusedWrite('forbidden', id, existing.record.revision);
    if (expectedRevision !== undefined && expectedRevision !== existing.record.revision) {
      throw refusedWrite('stale', id, existing.record.revision);
    }
    this.remove(id, existing);
    return existing.record.revision;
  }

  async listPage(after: string | undefined, limit: number, includeInactive = false): Promise<IdPage> {
    const listing = includeInactive ? this.allIds : this.activeIds;
    const ids: string[] = [];
    for (const id of listing.after(after)) {
      if (ids.length === limit) break;
      ids.push(id);
    }
    return { ids, total: listing.size };
  }

  async searchTerms(search: TermSearch): Promise<TermSearchPage> {
    const { hits, ...found } = this.index.search(search);
    return { ...found, hits: hits.map(({ agentNumber, tier }) => ({ id: this.idsByNumber.get(agentNumber) as string, position: { tier, agentNumber } })) };
  }

  async count(includeInactive = false): Promise<number> {
    return (includeInactive ? this.allIds : this.activeIds).size;
  }

  async heartbeat(id: string, now: Date, actor?: Actor): Promise<HeartbeatResult> {
    const entry = this.entries.get(id);
    if (!entry) throw refusedWrite('missing', id, 0);
    const { record } = entry;
    if (!mayChange(record.owner, actor)) throw refusedWrite('forbidden', id, record.revision);
    const expiresAt = record.ttlSeconds > 0 ? new Date(now.getTime() + record.ttlSeconds * 1000) : undefined;
    if (expiresAt) this.liveness.set(id, expiresAt.getTime());
    const reactivated = record.status === 'inactive';
    if (reactivated) {
      record.status = 'active';
      record.revision = ++this.lastRevision;
      this.activeIds.add(id);
      this.index.remove(INACTIVE_TERM, entry.agentNumber);
      this.purges.delete(id);
    }
    return { revision: record.revision, reactivated, ...(expiresAt ? { expiresAt } : {}) };
  }

  async expireDue(now: Date, limit: number, graceMs: number): Promise<string[]> {
    const expired: string[] = [];
    for (const id of this.liveness.due(now.getTime(), limit)) {
      this.liveness.delete(id);
      const entry = this.entries.get(id);
      if (entry?.record.status !== 'active') continue;
      entry.record.status = 'inactive';
      entry.record.revision = ++this.lastRevision;
      this.activeIds.delete(id);
      this.index.add(INACTIVE_TERM, entry.agentNumber);
      this.purges.set(id, now.getTime() + graceMs);
      expired.push(id);
    }
    return expired;
  }

  async purgeDue(now: Date, limit: number): Promise<string[]> {
    const purged: string[] = [];
    for (const id of this.purges.due(now.getTime(), limit)) {
      this.purges.delete(id);
      const entry = this.entries.get(id);
      if (entry?.record.status !== 'inactive') continue;
      this.remove(id, entry);
      purged.push(id);
    }
    return purged;
  }

  async dueRefreshes(now: Date, limit: number): Promise<string[]> {
    return this.refreshes.due(now.getTime(), limit);
  }

  async scheduleRefresh(id: string, at: Date): Promise<void> {
    if (this.entries.get(id)?.record.sourceUrl) this.refreshes.set(id, at.getTime());
  }

  async previousCard(id: string): Promise<PreviousCard | null> {
    const previous = this.previous.get(id);
    return previous ? { ...previous } : null;
  }

  async ping(): Promise<void> {}

  /** A card fetched from a URL keeps the revision it replaces and its refresh time; a card sent by a client drops both. */
  private keepSource(write: AgentWrite, existing: StoredRecord | undefined): void {
    if (!write.source) {
      this.refreshes.delete(write.id);
      this.previous.delete(write.id);
      return;
    }
    if (existing && existing.card !== write.card) this.previous.set(write.id, { card: existing.card, revision: existing.revision });
    this.refreshes.set(write.id, write.source.nextRefreshAt.getTime());
  }

  async close(): Promise<void> {}

  private remove(id: string, entry: Entry): void {
    this.index.move(entry.agentNumber, this.termsOfEntry(entry), []);
    this.activeIds.delete(id);
    this.idsByNumber.delete(entry.agentNumber);
    this.entries.delete(id);
    this.allIds.delete(id);
    this.liveness.delete(id);
    this.purges.delete(id);
    this.refreshes.delete(id);
    this.previous.delete(id);
    this.lastRevision++;
  }
}
