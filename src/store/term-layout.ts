/**
 * How both stores keep the term index and bound the work of one search. An agent's index terms
 * hold its number, which grows with every new agent, so a term's members in number order are its
 * agents oldest registration first: the order searches show them in.
 */
export interface IndexTuning {
  /**
   * Agent numbers per bucket of a large term. A bucket is one Redis set, so it stays an intset
   * (`set-max-intset-entries`, 512 by default, 1024 in the registry's recommended settings) and one
   * intersection reads at most this many numbers of each term. A multiple of 8 for the Redis store,
   * whose dense terms keep a bucket in whole bytes of a bitmap. Part of the stored data's layout:
   * every process on one Redis must use the same.
   * @defaultValue 1024
   */
  bucketWidth: number;
  /**
   * Most members a term keeps in one set before it is split into buckets. Below it a term costs one
   * key; a search reads a small term's set whole, so this bounds that read too. Part of the layout.
   * @defaultValue 1024
   */
  smallTermMax: number;
  /**
   * Which large terms the Redis store keeps as bitmaps instead of buckets: a term whose members,
   * when it outgrows {@link IndexTuning.smallTermMax}, are more than 1 in this many of the agent
   * numbers up to its highest member. A bitmap takes one bit per agent number, far less than a
   * bucket set's entries when a term is this common, and a search checks many candidates against
   * it with one command. 0 keeps every large term in buckets. Part of the layout.
   * @defaultValue 32
   */
  denseTermShare: number;
  /**
   * What one search page may spend, in candidates examined: each number checked or read from an
   * intersection counts one, an intersection's own scan one per eight numbers of its smallest set,
   * each membership command {@link IndexTuning.checkCost}, each 256 bytes of a bitmap read (the
   * Redis store reads a dense term's chunk whole for many candidates, and checks later ones there
   * without a command) one, each bucket visited {@link IndexTuning.bucketVisitCost}. A walk that
   * spends it stops where it is and answers the page it has, with a cursor to go on from there.
   * @defaultValue 2048
   */
  walkBudget: number;
  /**
   * The same bound for the embedded store, in candidates examined: each costs a lookup in memory
   * there rather than work inside Redis, so it examines more for the same time.
   * @defaultValue 32768
   */
  embeddedWalkBudget: number;
  /**
   * What a walk is charged for visiting one bucket besides the numbers it examines there, so a
   * walk through empty buckets stops too.
   * @defaultValue 64
   */
  bucketVisitCost: number;
  /**
   * What a walk is charged for one membership command (a batch of candidates checked against one
   * term's bucket) besides the candidates themselves: each is a call into Redis from the script.
   * @defaultValue 8
   */
  checkCost: number;
  /**
   * The most members a search's rarest term may have for it to count the matches exactly when they
   * do not all fit on the page; past it the total is estimated.
   * @defaultValue 128
   */
  countBudget: number;
  /**
   * Buckets of the rarest large term sampled to estimate a total that is too dear to count.
   * @defaultValue 4
   */
  estimateSamples: number;
}

/** The tuning every registry runs with; tests shrink it to reach buckets and budgets with few agents. */
export const DEFAULT_INDEX_TUNING: Readonly<IndexTuning> = Object.freeze({
  bucketWidth: 1024,
  smallTermMax: 1024,
  denseTermShare: 32,
  walkBudget: 2048,
  embeddedWalkBudget: 32_768,
  bucketVisitCost: 64,
  checkCost: 8,
  countBudget: 128,
  estimateSamples: 4,
});

/** The term of agents whose heartbeats stopped; searches leave its members out unless asked. */
export const INACTIVE_TERM = 'status:inactive';

/** The index term of the agents their owner deprecated: searches rank them after the others. */
export const DEPRECATED_TERM = 'lifecycle:deprecated';
