import type { ProbeOutcome } from './probe-outcome.js';
import type { ChangeRead } from './change-log.js';
import type { ExtensionEntry, ExtensionPage, ExtensionQuery, TrustLevel } from './extension-catalog.js';
import type {
  Actor,
  AgentRecord,
  AgentWrite,
  ChangedPage,
  ChangedPosition,
  HeartbeatResult,
  IdempotencyClaim,
  IdPage,
  KeptOutcome,
  Lifecycle,
  LifecycleChange,
  PreviousCard,
  SaveOptions,
  SaveResult,
} from './agent-record.js';

/**
 * Where agent records and their indexes live. Every write changes a record and all its index
 * memberships atomically; every read costs no more than the records and sets it touches.
 */
export interface AgentStore {
  /** `redis` or `memory`, for logs and the service document. */
  readonly kind: 'redis' | 'memory';
  /**
   * Whether every agent's word prefixes are in the index (`pre:`/`npre:` terms), so that searches
   * may match a query word by them: false on data written before they were, where they would miss
   * the older agents.
   */
  readonly indexesWordPrefixes: boolean;
  /**
   * Creates or replaces a record and marks it active; throws ConflictError or PreconditionFailedError
   * per the options, ForbiddenError when the writer neither owns the agent nor is an admin. Under an
   * `idempotency` claim whose key holds an outcome, answers with it and writes nothing; a refused
   * write keeps no outcome.
   */
  save(write: AgentWrite, options?: SaveOptions): Promise<SaveResult>;
  /**
   * A record, or null. `minRevision` lets a caching store answer from memory only when its copy
   * is at least that recent; a store that always reads its source ignores it.
   */
  get(id: string, minRevision?: number): Promise<AgentRecord | null>;
  /** The records that exist among `ids`, in the same order. */
  getMany(ids: readonly string[]): Promise<AgentRecord[]>;
  /**
   * Sets an agent's lifecycle (not its deletion, which is {@link AgentStore.delete}) in one atomic
   * step with a new revision and a `status_changed` event; throws AgentNotFoundError,
   * PreconditionFailedError, or ForbiddenError when `change.actor` may not change it.
   */
  setLifecycle(id: string, change: LifecycleChange): Promise<{ revision: number; lifecycle: Lifecycle }>;
  /**
   * Removes a record and its index memberships, leaving a tombstone (see {@link AgentStore.changedSince}); throws AgentNotFoundError, PreconditionFailedError,
   * or ForbiddenError when `actor` (absent: the registry itself) may not change it. Under an
   * `idempotency` claim whose key holds an outcome, answers with it and removes nothing.
   */
  delete(id: string, expectedRevision?: number, actor?: Actor, idempotency?: IdempotencyClaim): Promise<AgentRecord['revision']>;
  /** The outcome kept under the claim's key, whatever request left it; null when none is (any more). */
  keptOutcome(claim: IdempotencyClaim): Promise<KeptOutcome | null>;
  /**
   * Up to `limit` ids in ascending order, strictly after `after` when given, and how many agents
   * there are in all; active agents only unless asked. One read, so a page is one round trip.
   */
  listPage(after: string | undefined, limit: number, includeInactive?: boolean): Promise<IdPage>;
  /**
   * The ids of the agents numbered `from` to `from + count - 1` that exist (inactive ones too), in
   * number order, and the last agent number handed out so far. Its work is bounded by `count`:
   * the number to id map is read for that range only.
   */
  numberedIds(from: number, count: number): Promise<NumberedIds>;
  /**
   * Up to `limit` of the agents whose last change (any that took a revision) was at or after
   * `since` (Unix ms), and with `includeDeleted` the tombstones of those deleted since, in
   * (time, kind, key) order strictly after `after`. Its work is bounded by the page, never by the
   * catalogue: sorted sets by time, ranged from the cursor.
   */
  changedSince(since: number, after: ChangedPosition | undefined, limit: number, includeDeleted: boolean): Promise<ChangedPage>;
  /** Removes up to `limit` tombstones of agents deleted before `before`; answers how many it removed. */
  sweepTombstones(before: Date, limit: number): Promise<number>;
  /**
   * One page of the agents that belong to every term of `search.terms`, in rank order; its work is
   * bounded by the page and the walk budget (`term-layout.ts`), never by the matches or the agents.
   */
  searchTerms(search: TermSearch): Promise<TermSearchPage>;
  /** One page of the extension catalog; its work is bounded by the page and `EXTENSION_WALK_BUDGET` (`extension-catalog.ts`). */
  listExtensions(query: ExtensionQuery): Promise<ExtensionPage>;
  /** The catalog entries of these (folded) URIs that some agent declares, in the order asked. */
  getExtensions(uris: readonly string[]): Promise<ExtensionEntry[]>;
  /** Sets an extension's trust level; null when no agent declares it. */
  setExtensionTrust(uri: string, level: TrustLevel): Promise<ExtensionEntry | null>;
  /** How many agents there are: active ones only unless asked. */
  count(includeInactive?: boolean): Promise<number>;
  /** Records a heartbeat at `now`; throws AgentNotFoundError, or ForbiddenError when `actor` may not. */
  heartbeat(id: string, now: Date, actor?: Actor): Promise<HeartbeatResult>;
  /** Marks inactive up to `limit` agents whose liveness ran out by `now`; they are deleted `graceMs` later. */
  expireDue(now: Date, limit: number, graceMs: number): Promise<string[]>;
  /** Deletes up to `limit` inactive agents whose grace period ran out by `now`. */
  purgeDue(now: Date, limit: number): Promise<string[]>;
  /** Up to `limit` ids of agents registered by URL whose card is due to be fetched again by `now`. */
  dueRefreshes(now: Date, limit: number): Promise<string[]>;
  /** Sets when an agent registered by URL is fetched again (nothing when it is gone or no longer sourced). */
  scheduleRefresh(id: string, at: Date): Promise<void>;
  /**
   * Claims up to `limit` agents whose probe is due by `now` (every agent is due once registered):
   * each is held for `leaseMs`, so no other worker claims it meanwhile; answers them and how long
   * the oldest due one waited. Reads only the due entries.
   */
  claimProbes(now: Date, limit: number, leaseMs: number): Promise<ProbeClaim>;
  /**
   * Keeps a probe's outcome and, for a claimed agent, when it is probed next (an agent not claimed
   * keeps its place). A change of its status also moves the agent's probe index term, takes a
   * revision and a `probe_changed` event, atomically.
   */
  recordProbe(id: string, outcome: ProbeOutcome, nextAt: Date): Promise<ProbeRecorded>;
  /** Moves a claimed agent's next probe to `at`, keeping what the last one found (nothing for one not claimed). */
  scheduleProbe(id: string, at: Date): Promise<void>;
  /** The card an agent registered by URL had before its last change, or null. */
  previousCard(id: string): Promise<PreviousCard | null>;
  /**
   * Up to `limit` events of the change log strictly after the position `after` (absent: from the
   * oldest kept), with the data set's epoch and the log's edges. One atomic read.
   */
  readChanges(after: string | undefined, limit: number): Promise<ChangeRead>;
  /**
   * Brings the agents among `ids` in line with the proven domains, each in one atomic step that
   * reads the claims afresh: an agent whose claimed interface hosts all belong to one principal
   * becomes that principal's (the change recorded on it with `reason`), and its `domainVerified`
   * is computed again. Answers the agents it changed; their changes are announced like any write.
   */
  settleDomainAgents(ids: readonly string[], now: Date, reason: string): Promise<SettledAgent[]>;
  /** Resolves when the backing store answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** What {@link AgentStore.numberedIds} answers. */
export interface NumberedIds {
  /** The agents of the range, by number. */
  agents: { agentNumber: number; id: string }[];
  /** The highest agent number handed out (0 when none was): no agent has a higher one. */
  lastNumber: number;
}

/** What {@link AgentStore.claimProbes} claimed. */
export interface ProbeClaim {
  ids: string[];
  /** How long the oldest due probe had waited past its time, in milliseconds (0: none was late). */
  lagMs: number;
}

/** What {@link AgentStore.recordProbe} did: nothing for an agent gone meanwhile; `changed` when the status changed. */
export type ProbeRecorded = { kind: 'missing' } | { kind: 'same' | 'changed'; revision: number };

/** An agent {@link AgentStore.settleDomainAgents} changed. */
export interface SettledAgent {
  id: string;
  revision: number;
  owner: string;
  /** Whether it changed hands (otherwise only its `domainVerified` changed). */
  ownerChanged: boolean;
}

/**
 * A place in a search's order: its rank tier, then its agent number. Agent numbers grow with every
 * new agent and an agent keeps its number until it is deleted, so the places of the agents that
 * exist throughout a walk through the pages never move.
 */
export interface SearchPosition {
  tier: number;
  agentNumber: number;
}

/** What {@link AgentStore.searchTerms} looks for. */
export interface TermSearch {
  /** Terms every match belongs to; at least one. */
  terms: readonly string[];
  /**
   * Matches that belong to every one of these too come first (tier 0), the others after them
   * (tier 1); none: one tier. Deprecated agents follow in tiers of their own, in the same order
   * (2 and 3; without preferred terms, 1). Within a tier, matches are in agent number order.
   */
  preferred: readonly string[];
  /** Also match agents whose heartbeats stopped. */
  includeInactive: boolean;
  /** Start strictly after this place; absent: at the start. */
  after?: SearchPosition;
  /** Most hits to find. */
  wanted: number;
  /**
   * A recent estimate of how many agents match `terms` (inactive ones in or out as
   * `includeInactive` says), from an earlier page: where the store would estimate the total, it
   * answers this one instead (and never less than the hits it found); where counting is cheap, it
   * still counts. @defaultValue none: the store estimates
   */
  estimate?: number;
  /**
   * Told once the walk through the index is done, before the store looks up its hits' ids: what
   * follows is light work for the store, so a costly walk's turn (`SEARCH_COSTLY_CONCURRENCY`) ends here.
   * @defaultValue none
   */
  onWalked?: () => void;
}

export interface SearchHit {
  id: string;
  position: SearchPosition;
}

export interface TermSearchPage {
  /** Up to `wanted` matches after `after`, in order. */
  hits: SearchHit[];
  /**
   * Set when the walk spent its budget before it found `wanted` hits: every candidate up to this
   * place was examined, and the walk may go on from it.
   */
  stoppedAt?: SearchPosition;
  /** How many agents match in all pages: exact when `totalExact`, otherwise an estimate. */
  total: number;
  totalExact: boolean;
  /** Candidates the walk examined, bucket visits included: the work the page cost. */
  work: number;
}
