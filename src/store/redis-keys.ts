/**
 * Every Redis key of one registry. All of them start with the configured prefix, whose
 * `{hash tag}` puts them in one Redis Cluster slot so that scripts and SINTER may span them.
 */
export interface RedisKeys {
  /** Hash of one agent: card, meta, revision, createdAt, updatedAt, status, n (its agent number); no copy of its index terms. */
  agent(id: string): string;
  /** Sorted set of the ids of active agents, all at score 0, for lexicographic cursor pagination: what listings show. */
  readonly activeListing: string;
  /** The same for inactive agents, which listings show too when asked; few, since they are deleted after a grace period. */
  readonly inactiveListing: string;
  /** Prefix of the member count of a large term (one split into buckets or bitmaps, see `lua/lib/term-index.lua`): `large:tok:weather`. */
  readonly largeTermCountPrefix: string;
  /** Sorted set: agent id by the time (ms) its liveness runs out without a heartbeat. */
  readonly livenessDeadlines: string;
  /** Sorted set: inactive agent id by the time (ms) it is deleted. */
  readonly purgeDeadlines: string;
  /** Sorted set: id of an agent registered from a URL by the time (ms) its card is fetched again. */
  readonly refreshes: string;
  /** Sorted set of the seconds (Unix) at which some agent's probe is due, each with a set of those agents' numbers (`lua/lib/probe-schedule.lua`). */
  readonly probeDue: string;
  /** Prefix of the set of the numbers of the agents whose probe is due in one second: `probe-at:1765000000`. */
  readonly probeAtPrefix: string;
  /** Sorted set: the number of each agent being probed by the time (ms) its claim's lease ends. */
  readonly probeClaims: string;
  /**
   * Sorted set: each agent's number by the time (ms) of its last change, for listings of what
   * changed since a time. Numbers rather than ids: the set holds every agent, so its members are kept short.
   */
  readonly changedAgents: string;
  /** Sorted set: the id of each deleted agent whose tombstone is kept, by the time (ms) it was deleted. */
  readonly tombstones: string;
  /** Hash: deleted agent id -> `revision owner` of its tombstone. */
  readonly tombstoneInfo: string;
  /** Prefix of the agent hashes, for scripts that reach agents found in a deadline set. */
  readonly agentPrefix: string;
  /**
   * Prefix of the strings that hold an id with capitals under its lower-case form (`idcase:acme`
   * holds `Acme`), so that no id is created that differs from another only in case.
   */
  readonly idCasePrefix: string;
  /** Counter that hands out registry-wide revisions. */
  readonly revision: string;
  /** Counter that hands out agent numbers: each new agent gets the next, and keeps it until it is deleted. */
  readonly agentNumbers: string;
  /** Prefix of the hashes that map agent numbers back to ids, {@link AGENT_NUMBERS_PER_BUCKET} numbers each. */
  readonly agentIdsPrefix: string;
  /** The hash that maps `agentNumber` (among others) to its agent's id. */
  agentIds(agentNumber: number): string;
  /** Prefix of the set of a small term's agent numbers: `idx:skill:translate`. */
  readonly smallTermPrefix: string;
  /** Prefix of the sets of a large term's agent numbers, one per bucket: `bkt:12:tok:weather` (bucket 12). */
  readonly termBucketPrefix: string;
  /** Prefix of the bitmaps of a dense term's agent numbers, one per chunk: `bits:3:in:text/plain` (chunk 3). */
  readonly denseTermPrefix: string;
  /** Sorted set of the (folded) URIs of the extensions some agent declares, at score 0: the extension catalog. */
  readonly extensionCatalog: string;
  /** Prefix of the hash of one catalog extension: first and last seen, first declared by, trust level. */
  readonly extensionInfoPrefix: string;
  /** Pub/sub channel on which every write announces `id revision writtenAtMs eventId` (`lua/lib/changes.lua`). */
  readonly invalidations: string;
  /** Stream: the change log, one event per change to an agent, trimmed to about a configured length. */
  readonly changes: string;
  /** String: the version of the data layout under the prefix. */
  readonly layout: string;
  /** String: a random token written once when the data set under the prefix begins; a new one means it was lost. */
  readonly epoch: string;
  /** String: the outcome of a write made under an idempotency key (`key`, a digest), kept for its retries. */
  keptOutcome(key: string): string;
  /** Hash: each proven domain -> the principal that proved it; the write scripts read it. */
  readonly domainOwners: string;
  /** Hash of the claim on one proven domain: owner, provenAt (ms), method, previousOwner. */
  domainClaim(domain: string): string;
  /** String with an expiry: the token of `principal`'s pending challenge for `domain`. */
  domainChallenge(domain: string, principal: string): string;
  /** String: Unix milliseconds at which the last expiry sweep completed, written by whichever worker ran it. */
  readonly lastSweep: string;
  /** Counter of the requests of `caller` against `budget` in the rate-limit window numbered `window`. */
  rateLimit(budget: string, window: number, caller: string): string;
  /** Hash of a mirror's place in its source's change log: `cursor`, and `source` (the URL and filter it belongs to). */
  readonly mirrorPosition: string;
  /** String with an expiry: the token of the process that follows the source, so that one follows at a time. */
  readonly mirrorLock: string;
  /** Sorted set: the key of each ingested AI Catalog (`catalog-sources.ts`) by the time (ms) it is read again. */
  readonly catalogReads: string;
  /** Sorted set of every ingested catalog's key, at score 0, for listing in key order. */
  readonly catalogKeys: string;
  /** Sorted set of the keys of the catalogs `owner` ingested, at score 0. */
  catalogsOwnedBy(owner: string): string;
  /** Hash of one ingested catalog: `url`, `owner`, `lastRead` (JSON of its last read). */
  catalog(key: string): string;
  /** Hash of the entries an ingested catalog holds: identifier -> agent id, and since when it is missing (`heldEntryText`). */
  catalogEntries(key: string): string;
  /** Prefix of the keys of BullMQ's queues (the sweep and the card refresh). */
  readonly queuePrefix: string;
  /** Keys only an earlier data layout wrote (a set of every id, an index set of active agents). */
  readonly earlierLayoutMarkers: readonly string[];
}

/**
 * Agent numbers per number -> id hash. Below Redis's `hash-max-listpack-entries` (128 by default),
 * so each hash stays a compact listpack of about 25 bytes per agent.
 */
export const AGENT_NUMBERS_PER_BUCKET = 100;

export function redisKeys(prefix: string): RedisKeys {
  const smallTermPrefix = `${prefix}idx:`;
  const bucketPrefix = `${prefix}bkt:`;
  const agentPrefix = `${prefix}agent:`;
  const agentIdsPrefix = `${prefix}ids:`;
  return {
    agent: (id) => agentPrefix + id,
    agentPrefix,
    idCasePrefix: `${prefix}idcase:`,
    activeListing: `${prefix}agents:active`,
    inactiveListing: `${prefix}agents:inactive`,
    largeTermCountPrefix: `${prefix}large:`,
    livenessDeadlines: `${prefix}liveness`,
    purgeDeadlines: `${prefix}purges`,
    refreshes: `${prefix}refreshes`,
    probeDue: `${prefix}probe-due`,
    probeAtPrefix: `${prefix}probe-at:`,
    probeClaims: `${prefix}probe-claims`,
    changedAgents: `${prefix}changed`,
    tombstones: `${prefix}tombstones`,
    tombstoneInfo: `${prefix}tombstone-info`,
    revision: `${prefix}revision`,
    agentNumbers: `${prefix}agent-numbers`,
    agentIdsPrefix,
    agentIds: (agentNumber) => agentIdsPrefix + Math.floor(agentNumber / AGENT_NUMBERS_PER_BUCKET),
    smallTermPrefix,
    termBucketPrefix: bucketPrefix,
    denseTermPrefix: `${prefix}bits:`,
    extensionCatalog: `${prefix}extensions`,
    extensionInfoPrefix: `${prefix}extension:`,
    invalidations: `${prefix}invalidations`,
    changes: `${prefix}changes`,
    layout: `${prefix}layout`,
    epoch: `${prefix}epoch`,
    keptOutcome: (key) => `${prefix}idem:${key}`,
    domainOwners: `${prefix}domain-owners`,
    // A domain holds no colon, so the principal after it cannot be confused with part of it.
    domainClaim: (domain) => `${prefix}domain:${domain}`,
    domainChallenge: (domain, principal) => `${prefix}dch:${domain}:${principal}`,
    lastSweep: `${prefix}sweep:last-success`,
    rateLimit: (budget, window, caller) => `${prefix}rl:${budget}:${window}:${caller}`,
    mirrorPosition: `${prefix}mirror:position`,
    mirrorLock: `${prefix}mirror:lock`,
    catalogReads: `${prefix}catalog-reads`,
    // Catalog keys are base64url digests: no colon, so the two families cannot collide.
    catalog: (key) => `${prefix}catalog:${key}`,
    catalogKeys: `${prefix}catalog-keys`,
    catalogsOwnedBy: (owner) => `${prefix}catalogs-of:${owner}`,
    catalogEntries: (key) => `${prefix}catalog-entries:${key}`,
    queuePrefix: `${prefix}bull`,
    earlierLayoutMarkers: [`${prefix}agents`, `${smallTermPrefix}status:active`],
  };
}
