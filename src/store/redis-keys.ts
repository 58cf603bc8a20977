/**
 * Every Redis key of one registry. All of them start with the configured prefix, whose
 * `{hash tag}` puts them in one Redis Cluster slot so that scripts and SINTER may span them.
 */
export interface RedisKeys {
  /** Hash of one agent: card, meta, terms, revision, createdAt, updatedAt, status. */
  agent(id: string): string;
  /** Sorted set of every agent id, all at score 0, for lexicographic cursor pagination. */
  readonly listing: string;
  /** Counter that hands out registry-wide revisions. */
  readonly revision: string;
  /** Prefix of the index sets; an index set's key is this plus its term, `idx:skill:translate`. */
  readonly indexPrefix: string;
  index(term: string): string;
  /** Pub/sub channel on which every write announces `id revision`. */
  readonly invalidations: string;
}

export function redisKeys(prefix: string): RedisKeys {
  const indexPrefix = `${prefix}idx:`;
  return {
    agent: (id) => `${prefix}agent:${id}`,
    listing: `${prefix}agents`,
    revision: `${prefix}revision`,
    indexPrefix,
    index: (term) => indexPrefix + term,
    invalidations: `${prefix}invalidations`,
  };
}
