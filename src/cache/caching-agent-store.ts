import type { ExtensionEntry, ExtensionPage, ExtensionQuery, TrustLevel } from '../store/extension-catalog.js';
import type {
  Actor,
  AgentRecord,
  AgentWrite,
  ChangedPage,
  ChangedPosition,
  HeartbeatResult,
  Lifecycle,
  LifecycleChange,
  IdempotencyClaim,
  IdPage,
  KeptOutcome,
  PreviousCard,
  SaveOptions,
  SaveResult,
} from '../store/agent-record.js';
import type { ChangeRead } from '../store/change-log.js';
import type { AgentStore, NumberedIds, ProbeClaim, ProbeRecorded, SettledAgent, TermSearch, TermSearchPage } from '../store/agent-store.js';
import type { ProbeOutcome } from '../store/probe-outcome.js';
import type { RecordCache } from './record-cache.js';

/**
 * An AgentStore that answers reads of single records from the replica's cache when it can.
 * Writes go straight to the store; the invalidation feed (which the writer receives too) drops
 * the cached copies, and the writer drops its own at once so it reads its writes.
 */
export class CachingAgentStore implements AgentStore {
  readonly kind: AgentStore['kind'];

  constructor(
    private readonly store: AgentStore,
    private readonly cache: RecordCache,
  ) {
    this.kind = store.kind;
  }

  async get(id: string, minRevision = 0): Promise<AgentRecord | null> {
    const cached = this.cache.get(id, minRevision);
    if (cached) return cached;
    const record = await this.store.get(id);
    if (record) this.cache.set(record);
    return record;
  }

  async getMany(ids: readonly string[]): Promise<AgentRecord[]> {
    const cached = new Map<string, AgentRecord>();
    for (const id of ids) {
      const record = this.cache.get(id);
      if (record) cached.set(id, record);
    }
    const missing = ids.filter((id) => !cached.has(id));
    for (const record of await this.store.getMany(missing)) {
      this.cache.set(record);
      cached.set(record.id, record);
    }
    return ids.flatMap((id) => cached.get(id) ?? []);
  }

  async save(write: AgentWrite, options?: SaveOptions): Promise<SaveResult> {
    const result = await this.store.save(write, options);
    this.cache.invalidate(write.id, result.record.revision);
    return result;
  }

  async delete(id: string, expectedRevision?: number, actor?: Actor, idempotency?: IdempotencyClaim): Promise<number> {
    const revision = await this.store.delete(id, expectedRevision, actor, idempotency);
    this.cache.invalidate(id, revision + 1);
    return revision;
  }

  async setLifecycle(id: string, change: LifecycleChange): Promise<{ revision: number; lifecycle: Lifecycle }> {
    const result = await this.store.setLifecycle(id, change);
    this.cache.invalidate(id, result.revision);
    return result;
  }

  /** Which agents changed is always read from the store; their records come through {@link getMany}. */
  changedSince(since: number, after: ChangedPosition | undefined, limit: number, includeDeleted: boolean): Promise<ChangedPage> {
    return this.store.changedSince(since, after, limit, includeDeleted);
  }

  sweepTombstones(before: Date, limit: number): Promise<number> {
    return this.store.sweepTombstones(before, limit);
  }

  keptOutcome(claim: IdempotencyClaim): Promise<KeptOutcome | null> {
    return this.store.keptOutcome(claim);
  }

  async heartbeat(id: string, now: Date, actor?: Actor): Promise<HeartbeatResult> {
    const result = await this.store.heartbeat(id, now, actor);
    if (result.reactivated) this.cache.invalidate(id, result.revision);
    return result;
  }

  numberedIds(from: number, count: number): Promise<NumberedIds> {
    return this.store.numberedIds(from, count);
  }

  listPage(after: string | undefined, limit: number, includeInactive?: boolean): Promise<IdPage> {
    return this.store.listPage(after, limit, includeInactive);
  }

  searchTerms(search: TermSearch): Promise<TermSearchPage> {
    return this.store.searchTerms(search);
  }

  count(includeInactive?: boolean): Promise<number> {
    return this.store.count(includeInactive);
  }

  get indexesWordPrefixes(): boolean {
    return this.store.indexesWordPrefixes;
  }

  /** The catalog is read from the store every time: it changes with every card, and holds no records to cache. */
  listExtensions(query: ExtensionQuery): Promise<ExtensionPage> {
    return this.store.listExtensions(query);
  }

  getExtensions(uris: readonly string[]): Promise<ExtensionEntry[]> {
    return this.store.getExtensions(uris);
  }

  setExtensionTrust(uri: string, level: TrustLevel): Promise<ExtensionEntry | null> {
    return this.store.setExtensionTrust(uri, level);
  }

  expireDue(now: Date, limit: number, graceMs: number): Promise<string[]> {
    return this.store.expireDue(now, limit, graceMs);
  }

  purgeDue(now: Date, limit: number): Promise<string[]> {
    return this.store.purgeDue(now, limit);
  }

  readChanges(after: string | undefined, limit: number): Promise<ChangeRead> {
    return this.store.readChanges(after, limit);
  }

  dueRefreshes(now: Date, limit: number): Promise<string[]> {
    return this.store.dueRefreshes(now, limit);
  }

  scheduleRefresh(id: string, at: Date): Promise<void> {
    return this.store.scheduleRefresh(id, at);
  }

  scheduleProbe(id: string, at: Date): Promise<void> {
    return this.store.scheduleProbe(id, at);
  }

  claimProbes(now: Date, limit: number, leaseMs: number): Promise<ProbeClaim> {
    return this.store.claimProbes(now, limit, leaseMs);
  }

  /**
   * Only a change of status takes a revision, so only then do caches (this one, and the others'
   * through the invalidation) drop their copy: a cached record may show an older check of the same status.
   */
  async recordProbe(id: string, outcome: ProbeOutcome, nextAt: Date): Promise<ProbeRecorded> {
    const recorded = await this.store.recordProbe(id, outcome, nextAt);
    if (recorded.kind === 'changed') this.cache.invalidate(id, recorded.revision);
    return recorded;
  }

  async settleDomainAgents(ids: readonly string[], now: Date, reason: string): Promise<SettledAgent[]> {
    const settled = await this.store.settleDomainAgents(ids, now, reason);
    for (const { id, revision } of settled) this.cache.invalidate(id, revision);
    return settled;
  }

  previousCard(id: string): Promise<PreviousCard | null> {
    return this.store.previousCard(id);
  }

  ping(): Promise<void> {
    return this.store.ping();
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
