import {
  ACTIVE_LIFECYCLE,
  keptSummaryOf,
  MAX_OWNER_CHANGES,
  nameDigestOf,
  type Actor,
  type AgentRecord,
  type AgentWrite,
  type CardReader,
  type ChangedEntry,
  type ChangedPage,
  type ChangedPosition,
  type Lifecycle,
  type LifecycleChange,
  type Tombstone,
  type HeartbeatResult,
  type IdempotencyClaim,
  type IdPage,
  type KeptOutcome,
  type KeptSummary,
  type PreviousCard,
  type RecordSummary,
  type SaveOptions,
  type SaveResult,
} from './agent-record.js';
import type { AgentStore, NumberedIds, ProbeClaim, ProbeRecorded, SettledAgent, TermSearch, TermSearchPage } from './agent-store.js';
import { probeTerm, type ProbeOutcome } from './probe-outcome.js';
import { domainOwnerOf, isDomainVerified, refusingDomain, type DomainOwnerOf } from './domain-claims.js';
import { MemoryTermIndex } from './memory-term-index.js';
import { MemoryExtensionCatalog } from './memory-extension-catalog.js';
import type { ExtensionEntry, ExtensionPage, ExtensionQuery, TrustLevel } from './extension-catalog.js';
import { OrderedMap } from '../ordered-map.js';
import { SortedChunks } from './sorted-chunks.js';
import { packCardText, unpackCardText } from './stored-card.js';
import { KeptOutcomes } from './kept-outcomes.js';
import { DEFAULT_CHANGE_LOG_EVENTS, type ChangeKind, type ChangeRead, type StoredChange } from './change-log.js';
import { MemoryChangeLog } from './memory-change-log.js';
import { keptFor, mayChange, refusedWrite } from './store-outcome.js';
import { DEFAULT_INDEX_TUNING, DEPRECATED_TERM, INACTIVE_TERM, type IndexTuning } from './term-layout.js';

/**
 * A record as kept: its card packed (`stored-card.ts`), as the Redis store keeps it; without the
 * summary fields its card holds (see CardReader), so they are not kept twice; and with its
 * interface hosts, which domain claims are checked against.
 */
type StoredRecord = Omit<AgentRecord, 'summary' | 'card'> & { packedCard: string; kept: KeptSummary; hosts: string[] };

/** Records read lately that {@link MemoryAgentStore} keeps as readers get them, by default: the replicas' record cache's default size. */
export const DEFAULT_READ_RECORDS = 10_000;

interface Entry {
  record: StoredRecord;
  agentNumber: number;
  /** The digest of its card's name, for writes that must keep the name. */
  nameDigest: string;
}

/** The identifier a write gives its record: its own, or the one the agent had (see {@link AgentWrite.airIdentifier}). */
function airIdentifierOf(write: AgentWrite, existing: StoredRecord | undefined): Pick<AgentRecord, 'airIdentifier'> {
  const airIdentifier = write.airIdentifier ?? existing?.airIdentifier;
  return airIdentifier ? { airIdentifier } : {};
}

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A deadline of one id: ordered by time, then by id. */
type Due = readonly [at: number, id: string];
const byDue = (a: Due, b: Due) => a[0] - b[0] || byId(a[1], b[1]);

/** Places in the listing of changes by time, as the Redis store orders them: time, kind, key (see `lua/changed-since.lua`). */
const byChangedPosition = (a: ChangedPosition, b: ChangedPosition) => a.at - b.at || byId(a.kind, b.kind) || byId(a.key, b.key);

/** Keys (agent numbers as text, or tombstone ids) by the time of their last change, in {@link byChangedPosition} order. */
class ChangeTimes {
  private readonly byKey = new Map<string, ChangedPosition>();
  private readonly ordered = new SortedChunks<ChangedPosition>(byChangedPosition);

  constructor(private readonly kind: ChangedPosition['kind']) {}

  set(key: string, at: number): void {
    this.delete(key);
    const position = { at, kind: this.kind, key };
    this.byKey.set(key, position);
    this.ordered.add(position);
  }

  delete(key: string): void {
    const position = this.byKey.get(key);
    if (!position) return;
    this.byKey.delete(key);
    this.ordered.delete(position);
  }

  /** Up to `limit` places strictly after `after`, or at or after `since` without one. */
  page(since: number, after: ChangedPosition | undefined, limit: number): ChangedPosition[] {
    const page: ChangedPosition[] = [];
    for (const position of this.ordered.after(after ?? { at: since, kind: 'a', key: '' })) {
      if (page.length === limit) break;
      if (after || position.at >= since) page.push(position);
    }
    return page;
  }

  /** How many changed at or after `since`: the embedded store walks them, as it is meant for small catalogues. */
  countSince(since: number): number {
    let count = 0;
    for (const position of this.ordered.after({ at: since, kind: 'a', key: '' })) if (position.at >= since) count++;
    return count;
  }

  /** Up to `limit` keys changed before `before`, oldest first. */
  before(before: number, limit: number): string[] {
    const keys: string[] = [];
    for (const position of this.ordered.after()) {
      if (position.at >= before || keys.length === limit) break;
      keys.push(position.key);
    }
    return keys;
  }
}

/** Ids by a deadline in milliseconds, kept in deadline order: the due ones are read from the front. */
export class Deadlines {
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

  /** When `id` is due, if it is held. */
  at(id: string): number | undefined {
    return this.byId.get(id);
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
  /** Every agent it holds was written by this version. */
  readonly indexesWordPrefixes = true;
  private readonly entries = new Map<string, Entry>();
  private readonly index: MemoryTermIndex;
  private readonly extensions: MemoryExtensionCatalog;
  private readonly idsByNumber = new Map<number, string>();
  private lastAgentNumber = 0;
  private readonly allIds = new SortedChunks(byId);
  private readonly activeIds = new SortedChunks(byId);
  private readonly liveness = new Deadlines();
  private readonly purges = new Deadlines();
  private readonly refreshes = new Deadlines();
  /** Agent ids by when their next probe is due; a claimed agent is in `probeClaims` instead, by the end of its lease. */
  private readonly probes = new Deadlines();
  private readonly probeClaims = new Deadlines();
  private readonly previous = new Map<string, PreviousCard>();
  /** Records read lately as readers got them, the least recently kept first (see {@link recordOf}). */
  private readonly readCopies = new OrderedMap<StoredRecord, AgentRecord>();
  /** Agent numbers (as text) by the time of their last change. */
  private readonly changedAgents = new ChangeTimes('a');
  /** Ids of deleted agents by when they were deleted, and their tombstones. */
  private readonly tombstoneTimes = new ChangeTimes('d');
  private readonly tombstones = new Map<string, Tombstone>();
  private readonly kept = new KeptOutcomes();
  /** Ids with capitals by their lower-case form: no id may differ from another only in case. */
  private readonly idsInCase = new Map<string, string>();
  private lastRevision = 0;

  private readonly changes: MemoryChangeLog;

  constructor(
    /** Reads a stored card's index terms and summary: entries keep no copy of them. */
    private readonly cards: CardReader,
    /** The search budgets. @defaultValue {@link DEFAULT_INDEX_TUNING} */
    tuning: Readonly<IndexTuning> = DEFAULT_INDEX_TUNING,
    /** Who proved each domain (a `MemoryDomainStore`'s `ownerOf`). @defaultValue none proven */
    private readonly domainOwner: DomainOwnerOf = () => undefined,
    /** About how many events the change log keeps. @defaultValue {@link DEFAULT_CHANGE_LOG_EVENTS} */
    changeLogEvents = DEFAULT_CHANGE_LOG_EVENTS,
    /**
     * Most records read lately that are kept as readers get them, card unpacked, so that reading
     * them again (a page of a listing) costs no inflating, parsing or copying, and the presenters
     * find what they derived from them before; 0 keeps none. @defaultValue {@link DEFAULT_READ_RECORDS}
     */
    private readonly readRecords = DEFAULT_READ_RECORDS,
  ) {
    this.index = new MemoryTermIndex(tuning);
    this.changes = new MemoryChangeLog(changeLogEvents);
    this.extensions = new MemoryExtensionCatalog(this.index);
  }

  async readChanges(after: string | undefined, limit: number): Promise<ChangeRead> {
    return this.changes.read(after, limit);
  }

  /** `at`: when the change was written, as the Redis store's scripts tell it (the write's own time). */
  private logChange(agentId: string, kind: ChangeKind, revision: number, at: number, summary?: RecordSummary, lifecycle?: Lifecycle, probe?: StoredChange['probe']): void {
    const number = this.entries.get(agentId)?.agentNumber;
    if (number !== undefined) this.changedAgents.set(String(number), at);
    const told = lifecycle && { status: lifecycle.status, ...(lifecycle.message ? { message: lifecycle.message } : {}) };
    this.changes.append({ agentId, kind, revision, at, ...(summary ? { summary } : {}), ...(told ? { lifecycle: told } : {}), ...(probe ? { probe } : {}) });
  }

  /**
   * A record as readers get it: a copy, summary and all, that the store never changes (it changes
   * the stored record), which readers share and do not change either, as they share a replica's
   * cached records. Kept for the next read when `read` (a write's own answer is not a sign that
   * it will be read), until the stored record changes: every change in place takes a new revision
   * but a probe's result of the same status, which replaces the probe object.
   */
  private recordOf(stored: StoredRecord, read = false): AgentRecord {
    const known = this.readCopies.get(stored);
    if (known && known.revision === stored.revision && known.probe === stored.probe) return known;
    const { kept, hosts: _hosts, packedCard, ...record } = stored;
    const ownerChanges = record.ownerChanges?.map((change) => ({ ...change }));
    const card = unpackCardText(packedCard);
    const copy = { ...record, card, summary: this.cards.summaryOf(card, kept), ...(ownerChanges ? { ownerChanges } : {}) };
    if (read && this.readRecords > 0) {
      this.readCopies.set(stored, copy);
      this.readCopies.trimTo(this.readRecords);
    }
    return copy;
  }

  private termsOfEntry({ record }: Entry): string[] {
    const terms = this.cards.prefixOnlyTerms(this.cards.termsOf(unpackCardText(record.packedCard), record.kept));
    if (record.status === 'inactive') terms.push(INACTIVE_TERM);
    if (record.lifecycle.status === 'deprecated') terms.push(DEPRECATED_TERM);
    if (record.probe) terms.push(probeTerm(record.probe.result.status));
    return terms;
  }

  async save(write: AgentWrite, options: SaveOptions = {}): Promise<SaveResult> {
    const claim = options.idempotency;
    const kept = claim && this.kept.get(claim.key, Date.now());
    if (kept) return keptFor(kept, claim, 'saved').saved;
    const existing = this.entries.get(write.id);
    const currentRevision = existing?.record.revision ?? 0;
    // Checked first, as the Redis script does: a card on another's proven domain is refused whoever owns the id.
    const refusing = write.actor.admin ? undefined : refusingDomain(write.hosts, write.actor.id, this.domainOwner);
    if (refusing !== undefined) throw refusedWrite('domain', write.id, currentRevision, refusing);
    if (existing && !mayChange(existing.record.owner, write.actor)) throw refusedWrite('forbidden', write.id, currentRevision);
    if (existing && options.mustNotExist) throw refusedWrite('conflict', write.id, currentRevision);
    if (options.expectedRevision !== undefined && (!existing || options.expectedRevision !== currentRevision)) {
      throw refusedWrite('stale', write.id, currentRevision);
    }
    const holder = existing ? undefined : this.idTakenInOtherCase(write.id);
    if (holder !== undefined) throw refusedWrite('taken', write.id, 0, holder);
    const nameDigest = nameDigestOf(write.summary.name);
    if (existing && options.sameNameRequired && existing.nameDigest !== nameDigest) throw refusedWrite('renamed', write.id, currentRevision);
    const ttlSeconds = write.ttlSeconds ?? existing?.record.ttlSeconds ?? write.defaultTtlSeconds ?? 0;
    const owner = existing?.record.owner ?? write.actor.id;
    const record: StoredRecord = {
      id: write.id,
      packedCard: packCardText(write.card),
      kept: keptSummaryOf(write.summary),
      revision: ++this.lastRevision,
      createdAt: existing?.record.createdAt ?? write.now,
      updatedAt: write.now,
      status: 'active',
      ttlSeconds,
      owner,
      ...(write.source ? { sourceUrl: write.source.url } : {}),
      ...airIdentifierOf(write, existing?.record),
      hosts: [...write.hosts],
      domainVerified: isDomainVerified(write.hosts, owner, this.domainOwner),
      ...(existing?.record.ownerChanges ? { ownerChanges: existing.record.ownerChanges } : {}),
      // A new card keeps the lifecycle its owner set, and what the last probe found.
      lifecycle: existing?.record.lifecycle ?? ACTIVE_LIFECYCLE,
      ...(existing?.record.probe ? { probe: existing.record.probe } : {}),
    };
    this.keepSource(write, existing?.record);
    const previous = this.previous.get(write.id);
    if (previous) record.previousRevision = previous.revision;
    const agentNumber = existing?.agentNumber ?? ++this.lastAgentNumber;
    this.idsByNumber.set(agentNumber, write.id);
    const had = existing ? this.termsOfEntry(existing) : [];
    const terms = this.cards.prefixOnlyTerms(write.terms);
    this.index.move(agentNumber, had, [...terms, ...this.workerTerms(record)]);
    this.extensions.declared(write.terms, write.now, write.id);
    this.extensions.forgetUnused(had);
    if (existing) this.readCopies.delete(existing.record);
    this.entries.set(write.id, { record, agentNumber, nameDigest });
    if (write.id !== write.id.toLowerCase()) this.idsInCase.set(write.id.toLowerCase(), write.id);
    if (!existing) this.clearTombstone(write.id);
    if (this.probes.at(write.id) === undefined && this.probeClaims.at(write.id) === undefined) this.probes.set(write.id, Date.parse(write.now));
    this.allIds.add(write.id);
    this.activeIds.add(write.id);
    this.purges.delete(write.id);
    if (ttlSeconds > 0) this.liveness.set(write.id, Date.parse(write.now) + ttlSeconds * 1000);
    else this.liveness.delete(write.id);
    this.logChange(write.id, write.changeKind ?? (existing ? 'updated' : 'registered'), record.revision, Date.parse(write.now), write.summary);
    const saved = { record: this.recordOf(record), created: !existing };
    if (claim) this.keep(claim, { fingerprint: claim.fingerprint, kind: 'saved', saved });
    return saved;
  }

  async keptOutcome(claim: IdempotencyClaim): Promise<KeptOutcome | null> {
    return this.kept.get(claim.key, Date.now()) ?? null;
  }

  private keep(claim: IdempotencyClaim, outcome: KeptOutcome): void {
    this.kept.keep(claim.key, outcome, claim.ttlSeconds, Date.now());
  }

  async get(id: string): Promise<AgentRecord | null> {
    const entry = this.entries.get(id);
    return entry ? this.recordOf(entry.record, true) : null;
  }

  async getMany(ids: readonly string[]): Promise<AgentRecord[]> {
    return ids.flatMap((id) => {
      const entry = this.entries.get(id);
      return entry ? [this.recordOf(entry.record, true)] : [];
    });
  }

  async delete(id: string, expectedRevision?: number, actor?: Actor, idempotency?: IdempotencyClaim): Promise<number> {
    const kept = idempotency && this.kept.get(idempotency.key, Date.now());
    if (kept) return keptFor(kept, idempotency, 'deleted').revision;
    const existing = this.entries.get(id);
    if (!existing) throw refusedWrite('missing', id, 0);
    if (!mayChange(existing.record.owner, actor)) throw refusedWrite('forbidden', id, existing.record.revision);
    if (expectedRevision !== undefined && expectedRevision !== existing.record.revision) {
      throw refusedWrite('stale', id, existing.record.revision);
    }
    const now = Date.now();
    this.logChange(id, 'deleted', this.remove(id, existing, now), now);
    if (idempotency) this.keep(idempotency, { fingerprint: idempotency.fingerprint, kind: 'deleted', id, revision: existing.record.revision });
    return existing.record.revision;
  }

  async setLifecycle(id: string, change: LifecycleChange): Promise<{ revision: number; lifecycle: Lifecycle }> {
    const entry = this.entries.get(id);
    if (!entry) throw refusedWrite('missing', id, 0);
    const { record } = entry;
    if (!mayChange(record.owner, change.actor)) throw refusedWrite('forbidden', id, record.revision);
    if (change.expectedRevision !== undefined && change.expectedRevision !== record.revision) throw refusedWrite('stale', id, record.revision);
    const deprecated = change.status === 'deprecated';
    if (deprecated !== (record.lifecycle.status === 'deprecated')) {
      if (deprecated) this.index.add(DEPRECATED_TERM, entry.agentNumber);
      else this.index.remove(DEPRECATED_TERM, entry.agentNumber);
    }
    record.lifecycle = { status: change.status, ...(change.message ? { message: change.message } : {}), changedAt: change.now.toISOString() };
    record.revision = ++this.lastRevision;
    this.logChange(id, 'status_changed', record.revision, change.now.getTime(), undefined, record.lifecycle);
    return { revision: record.revision, lifecycle: { ...record.lifecycle } };
  }

  async changedSince(since: number, after: ChangedPosition | undefined, limit: number, includeDeleted: boolean): Promise<ChangedPage> {
    const agents = this.changedAgents.page(since, after, limit);
    const deleted = includeDeleted ? this.tombstoneTimes.page(since, after, limit) : [];
    const positions = [...agents, ...deleted].sort(byChangedPosition).slice(0, limit);
    const entries: ChangedEntry[] = positions.map((position) =>
      position.kind === 'a'
        ? { position, kind: 'agent', id: this.idsByNumber.get(Number(position.key)) ?? '' }
        : { position, kind: 'deleted', tombstone: { ...(this.tombstones.get(position.key) as Tombstone) } },
    );
    const total = this.changedAgents.countSince(since) + (includeDeleted ? this.tombstoneTimes.countSince(since) : 0);
    return { entries, total };
  }

  async sweepTombstones(before: Date, limit: number): Promise<number> {
    const due = this.tombstoneTimes.before(before.getTime(), limit);
    for (const id of due) this.clearTombstone(id);
    return due.length;
  }

  async numberedIds(from: number, count: number): Promise<NumberedIds> {
    const agents: NumberedIds['agents'] = [];
    for (let agentNumber = Math.max(1, from); agentNumber < from + count; agentNumber++) {
      const id = this.idsByNumber.get(agentNumber);
      if (id !== undefined) agents.push({ agentNumber, id });
    }
    return { agents, lastNumber: this.lastAgentNumber };
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
    search.onWalked?.();
    return { ...found, hits: hits.map(({ agentNumber, tier }) => ({ id: this.idsByNumber.get(agentNumber) as string, position: { tier, agentNumber } })) };
  }

  async listExtensions(query: ExtensionQuery): Promise<ExtensionPage> {
    return this.extensions.list(query);
  }

  async getExtensions(uris: readonly string[]): Promise<ExtensionEntry[]> {
    return this.extensions.get(uris);
  }

  async setExtensionTrust(uri: string, level: TrustLevel): Promise<ExtensionEntry | null> {
    return this.extensions.setTrust(uri, level);
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
      this.logChange(id, 'reactivated', record.revision, now.getTime());
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
      this.logChange(id, 'expired', entry.record.revision, now.getTime());
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
      this.logChange(id, 'purged', this.remove(id, entry, now.getTime()), now.getTime());
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

  async claimProbes(now: Date, limit: number, leaseMs: number): Promise<ProbeClaim> {
    const at = now.getTime();
    const oldest = this.probes.due(at, 1)[0];
    // Whole seconds, as the Redis store keeps the schedule.
    const lagMs = oldest === undefined ? 0 : at - Math.floor((this.probes.at(oldest) ?? at) / 1000) * 1000;
    const expired = this.probeClaims.due(at, limit);
    const ids = [...expired, ...this.probes.due(at, limit - expired.length)];
    for (const id of ids) {
      this.probes.delete(id);
      this.probeClaims.set(id, at + leaseMs);
    }
    return { ids, lagMs };
  }

  /** Makes a claimed agent due at `at`; one not claimed keeps its place in the schedule. */
  private rescheduleClaimed(id: string, at: number): void {
    if (this.probeClaims.at(id) === undefined) return;
    this.probeClaims.delete(id);
    this.probes.set(id, at);
  }

  async recordProbe(id: string, outcome: ProbeOutcome, nextAt: Date): Promise<ProbeRecorded> {
    const entry = this.entries.get(id);
    if (!entry) return { kind: 'missing' };
    const { record } = entry;
    const previous = record.probe?.result.status;
    const status = outcome.result.status;
    record.probe = { result: { ...outcome.result }, failures: outcome.failures };
    this.rescheduleClaimed(id, nextAt.getTime());
    if (previous === status) return { kind: 'same', revision: record.revision };
    if (previous) this.index.remove(probeTerm(previous), entry.agentNumber);
    this.index.add(probeTerm(status), entry.agentNumber);
    record.revision = ++this.lastRevision;
    this.logChange(id, 'probe_changed', record.revision, Date.parse(outcome.result.checkedAt), undefined, undefined, { status, ...(previous ? { previous } : {}) });
    return { kind: 'changed', revision: record.revision };
  }

  async scheduleProbe(id: string, at: Date): Promise<void> {
    this.rescheduleClaimed(id, at.getTime());
  }

  /** The index terms an agent has apart from its card's: its lifecycle's and its probe's. */
  private workerTerms(record: StoredRecord): string[] {
    return [...(record.lifecycle.status === 'deprecated' ? [DEPRECATED_TERM] : []), ...(record.probe ? [probeTerm(record.probe.result.status)] : [])];
  }

  async previousCard(id: string): Promise<PreviousCard | null> {
    const previous = this.previous.get(id);
    return previous ? { ...previous } : null;
  }

  async settleDomainAgents(ids: readonly string[], now: Date, reason: string): Promise<SettledAgent[]> {
    const settled: SettledAgent[] = [];
    for (const id of ids) {
      const record = this.entries.get(id)?.record;
      if (!record) continue;
      const owner = domainOwnerOf(record.hosts, this.domainOwner) ?? record.owner;
      const domainVerified = isDomainVerified(record.hosts, owner, this.domainOwner);
      const ownerChanged = owner !== record.owner;
      if (!ownerChanged && domainVerified === record.domainVerified) continue;
      if (ownerChanged) {
        const change = { from: record.owner, to: owner, at: now.toISOString(), reason };
        record.ownerChanges = [...(record.ownerChanges ?? []), change].slice(-MAX_OWNER_CHANGES);
        record.owner = owner;
      }
      record.domainVerified = domainVerified;
      record.revision = ++this.lastRevision;
      record.updatedAt = now.toISOString();
      this.logChange(id, ownerChanged ? 'owner_changed' : domainVerified ? 'domain_verified' : 'domain_unverified', record.revision, now.getTime());
      settled.push({ id, revision: record.revision, owner, ownerChanged });
    }
    return settled;
  }

  async ping(): Promise<void> {}

  /** A card fetched from a URL keeps the revision it replaces and its refresh time; a card sent by a client drops both. */
  private keepSource(write: AgentWrite, existing: StoredRecord | undefined): void {
    if (!write.source) {
      this.refreshes.delete(write.id);
      this.previous.delete(write.id);
      return;
    }
    const previousCard = existing && unpackCardText(existing.packedCard);
    if (existing && previousCard !== write.card) this.previous.set(write.id, { card: previousCard as string, revision: existing.revision });
    this.refreshes.set(write.id, write.source.nextRefreshAt.getTime());
  }

  async close(): Promise<void> {}

  /** The id of another agent that `id` differs from only in case (ids are ASCII), if any. */
  private idTakenInOtherCase(id: string): string | undefined {
    const folded = id.toLowerCase();
    const holder = this.idsInCase.get(folded);
    if (holder !== undefined && holder !== id) return holder;
    return folded !== id && this.entries.has(folded) ? folded : undefined;
  }

  private clearTombstone(id: string): void {
    this.tombstones.delete(id);
    this.tombstoneTimes.delete(id);
  }

  /** Removes an agent, leaving its tombstone (removed at `at`); returns the revision the removal took. */
  private remove(id: string, entry: Entry, at: number): number {
    if (this.idsInCase.get(id.toLowerCase()) === id) this.idsInCase.delete(id.toLowerCase());
    const had = this.termsOfEntry(entry);
    this.index.move(entry.agentNumber, had, []);
    this.extensions.forgetUnused(had);
    this.activeIds.delete(id);
    this.idsByNumber.delete(entry.agentNumber);
    this.entries.delete(id);
    this.readCopies.delete(entry.record);
    this.allIds.delete(id);
    this.liveness.delete(id);
    this.purges.delete(id);
    this.refreshes.delete(id);
    this.probes.delete(id);
    this.probeClaims.delete(id);
    this.previous.delete(id);
    this.changedAgents.delete(String(entry.agentNumber));
    const revision = ++this.lastRevision;
    this.tombstones.set(id, { id, revision, deletedAt: new Date(at).toISOString(), owner: entry.record.owner });
    this.tombstoneTimes.set(id, at);
    return revision;
  }
}
