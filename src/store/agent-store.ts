import type { AgentRecord, AgentWrite, SaveOptions, SaveResult } from './agent-record.js';

/**
 * Where agent records and their indexes live. Every write changes a record and all its index
 * memberships atomically; every read costs no more than the records and sets it touches.
 */
export interface AgentStore {
  /** `redis` or `memory`, for logs and the service document. */
  readonly kind: 'redis' | 'memory';
  /** Creates or replaces a record; throws ConflictError or PreconditionFailedError per the options. */
  save(write: AgentWrite, options?: SaveOptions): Promise<SaveResult>;
  get(id: string): Promise<AgentRecord | null>;
  /** The records that exist among `ids`, in the same order. */
  getMany(ids: readonly string[]): Promise<AgentRecord[]>;
  /** Removes a record and its index memberships; throws AgentNotFoundError or PreconditionFailedError. */
  delete(id: string, expectedRevision?: number): Promise<AgentRecord['revision']>;
  /** Up to `limit` ids in ascending order, strictly after `after` when given. */
  listIds(after: string | undefined, limit: number): Promise<string[]>;
  /** Ids of the agents that belong to every one of the index terms. */
  intersect(terms: readonly string[]): Promise<string[]>;
  count(): Promise<number>;
  /** Resolves when the backing store answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
