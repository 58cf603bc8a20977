import type { Actor, AgentRecord, AgentWrite, HeartbeatResult, IdPage, PreviousCard, SaveOptions, SaveResult } from './agent-record.js';

/**
 * Where agent records and their indexes live. Every write changes a record and all its index
 * memberships atomically; every read costs no more than the records and sets it touches.
 */
export interface AgentStore {
  /** `redis` or `memory`, for logs and the service document. */
  readonly kind: 'redis' | 'memory';
  /**
   * Creates or replaces a record and marks it active; throws ConflictError or PreconditionFailedError
   * per the options, ForbiddenError when the writer neither owns the agent nor is an admin.
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
   * Removes a record and its index memberships; throws AgentNotFoundError, PreconditionFailedError,
   * or ForbiddenError when `actor` (absent: the registry itself) may not change it.
   */
  delete(id: string, expectedRevision?: number, actor?: Actor): Promise<AgentRecord['revision']>;
  /**
   * Up to `limit` ids in ascending order, strictly after `after` when given, and how many agents
   * there are in all; active agents only unless asked. One read, so a page is one round trip.
   */
  listPage(after: string | undefined, limit: number, includeInactive?: boolean): Promise<IdPage>;
  /**
   * For each list of index terms, the numbers of the agents that belong to every one of its terms,
   * in any order (none for an empty list); all lists in one read, so a search is one round trip.
   * An agent's number is handed out when it is first stored, grows with every new agent, and is
   * kept until it is deleted.
   */
  intersectEach(termLists: readonly (readonly string[])[]): Promise<number[][]>;
  /**
   * The id of the agent with each number, in the same order; null for a number whose agent was
   * deleted since. A number never passes to another agent, so an id once found stays right for it.
   */
  idsOf(agentNumbers: readonly number[]): Promise<(string | null)[]>;
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
  /** The card an agent registered by URL had before its last change, or null. */
  previousCard(id: string): Promise<PreviousCard | null>;
  /** Resolves when the backing store answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
