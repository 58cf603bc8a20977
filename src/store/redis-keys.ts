/**
 * Every Redis key of one registry. All of them start with the configured prefix, whose
 * `{hash tag}` puts them in one Redis Cluster slot so that scripts and SINTER may span them.
 */
export interface RedisKeys {
  /** Hash of one agent: card, meta, terms, revision, createdAt, updatedAt, status. */
  agent(id: string): string;
  /** Sorted set of every agent id, all at score 0, for lexicographic cursor pagination. */
  readonly listing: string;
  /** The same for active agents only: what listings show unless inactive ones are asked for. */
  readonly activeListing: string;
  /** Set of active agent ids, the index set of the term `status:active`. */
  readonly active: string;
  /** Sorted set: agent id by the time (ms) its liveness runs out without a heartbeat. */
  readonly livenessDeadlines: string;
  /** Sorted set: inactive agent id by the time (ms) it is deleted. */
  readonly purgeDeadlines: string;
  /** Sorted set: id of an agent registered from a URL by the time (ms) its card is fetched again. */
  readonly refreshes: string;
  /** Prefix of the agent hashes, for scripts that reach agents found in a deadline set. */
  readonly agentPrefix: string;
  /** Counter that hands out registry-wide revisions. */
  readonly revision: string;
  /** Prefix of the index sets; an index set's key is this plus its term, `idx:skill:translate`. */
  readonly indexPrefix: string;
  index(term: string): string;
  /** Pub/sub channel on which every write announces `id revision`. */
  readonly invalidations: string;
}

/** The index term of active agents; searches intersect with it unless inactive agents are asked for. */
export const ACTIVE_TERM = 'status:active';

export function redisKeys(prefix: string): RedisKeys {
  const indexPrefix = `${prefix}idx:`;
  const agentPrefix = `${prefix}agent:`;
  return {
    agent: (id) => agentPrefix + id,
    agentPrefix,
    listing: `${prefix}agents`,
    activeListing: `${prefix}agents:active`,
    active: `${indexPrefix}${ACTIVE_TERM}`,
    livenessDeadlines: `${prefix}liveness`,
    purgeDeadlines: `${prefix}purges`,
    refreshes: `${prefix}refreshes`,
    revision: `${prefix}revision`,
    indexPrefix,
    index: (term) => indexPrefix + term,
    invalidations: `${prefix}invalidations`,
  };
}
