import type { SearchPosition, TermSearch } from './agent-store.js';
import { SortedChunks } from './sorted-chunks.js';
import { DEFAULT_INDEX_TUNING, INACTIVE_TERM, type IndexTuning } from './term-layout.js';

const byNumber = (a: number, b: number) => a - b;
const NONE = new SortedChunks<number>(byNumber);

/** Hits of a search by the embedded index: agent numbers, which the store maps to ids. */
export interface NumberHits {
  hits: { agentNumber: number; tier: number }[];
  stoppedAt?: SearchPosition;
  total: number;
  totalExact: boolean;
  work: number;
}

/** A tier of a search: agents in every term, except those in every term of one of the groups. */
interface Tier {
  terms: readonly string[];
  groups: readonly (readonly string[])[];
}

/**
 * The embedded store's term index: each term's agent numbers in ascending order. Searches walk
 * the rarest term of a tier from the cursor and stop at the page or when the walk budget is spent,
 * as the Redis store does, so a broad search costs about what a rare one does.
 */
export class MemoryTermIndex {
  private readonly members = new Map<string, SortedChunks<number>>();

  constructor(private readonly tuning: Readonly<IndexTuning> = DEFAULT_INDEX_TUNING) {}

  private of(term: string): SortedChunks<number> {
    return this.members.get(term) ?? NONE;
  }

  add(term: string, agentNumber: number): void {
    let set = this.members.get(term);
    if (!set) this.members.set(term, (set = new SortedChunks(byNumber)));
    set.add(agentNumber);
  }

  remove(term: string, agentNumber: number): void {
    const set = this.members.get(term);
    if (set?.delete(agentNumber) && set.size === 0) this.members.delete(term);
  }

  /** Moves an agent from the terms it had to the ones it has now. */
  move(agentNumber: number, had: readonly string[], wanted: readonly string[]): void {
    const keep = new Set(wanted);
    for (const term of had) if (!keep.has(term)) this.remove(term, agentNumber);
    for (const term of keep) this.add(term, agentNumber);
  }

  search(search: TermSearch): NumberHits {
    const inactive = search.includeInactive ? [] : [[INACTIVE_TERM]];
    const tiers: Tier[] =
      search.preferred.length === 0
        ? [{ terms: search.terms, groups: inactive }]
        : [
            { terms: [...search.terms, ...search.preferred], groups: inactive },
            { terms: search.terms, groups: [search.preferred, ...inactive] },
          ];
    const found: NumberHits = { hits: [], total: 0, totalExact: true, work: 0 };
    const start = search.after ?? { tier: 0, agentNumber: 0 };
    let finished = false;
    for (let tier = start.tier; tier < tiers.length; tier++) {
      const outcome = this.walk(found, tier, tiers[tier] as Tier, tier === start.tier ? start.agentNumber : 0, search.wanted);
      if (outcome !== 'done') break;
      finished = tier === tiers.length - 1;
    }
    if (finished && search.after === undefined) found.total = found.hits.length;
    else Object.assign(found, this.count(search.terms, inactive));
    return found;
  }

  private driverOf(terms: readonly string[]): SortedChunks<number> {
    return terms.map((term) => this.of(term)).reduce((least, set) => (set.size < least.size ? set : least));
  }

  private excluded(groups: readonly (readonly string[])[], agentNumber: number): boolean {
    return groups.some((group) => group.every((term) => this.of(term).has(agentNumber)));
  }

  private matches(terms: readonly string[], driver: SortedChunks<number>, agentNumber: number): boolean {
    return terms.every((term) => {
      const set = this.of(term);
      return set === driver || set.has(agentNumber);
    });
  }

  /** Walks one tier's rarest term after `after`, adding hits until `wanted` are found or the budget is spent. */
  private walk(found: NumberHits, tier: number, { terms, groups }: Tier, after: number, wanted: number): 'full' | 'done' | 'budget' {
    const driver = this.driverOf(terms);
    let examined = after;
    for (const agentNumber of driver.after(after)) {
      if (found.work >= this.tuning.walkBudget) {
        found.stoppedAt = { tier, agentNumber: examined };
        return 'budget';
      }
      found.work++;
      examined = agentNumber;
      if (!this.matches(terms, driver, agentNumber) || this.excluded(groups, agentNumber)) continue;
      found.hits.push({ agentNumber, tier });
      if (found.hits.length === wanted) return 'full';
    }
    return 'done';
  }

  /** How many agents are in every one of `terms` and in no group: exact when cheap to count, otherwise estimated from a sample. */
  private count(terms: readonly string[], groups: readonly (readonly string[])[]): Pick<NumberHits, 'total' | 'totalExact'> {
    const driver = this.driverOf(terms);
    const live = groups.filter((group) => this.driverOf(group).size > 0);
    if (terms.length === 1 && live.length === 0) return { total: driver.size, totalExact: true };
    const checks = terms.length - 1 + live.length;
    const matching = (numbers: Iterable<number>) => {
      let count = 0;
      for (const n of numbers) if (this.matches(terms, driver, n) && !this.excluded(live, n)) count++;
      return count;
    };
    if (driver.size * checks <= this.tuning.countBudget) return { total: matching(driver.after()), totalExact: true };
    const [excluded] = live;
    if (terms.length === 1 && live.length === 1 && excluded?.length === 1) {
      const left = this.of(excluded[0] as string);
      if (left.size <= this.tuning.countBudget) return { total: driver.size - [...left.after()].filter((n) => driver.has(n)).length, totalExact: true };
    }
    const sample = driver.sample(Math.max(this.tuning.estimateSamples, Math.floor(this.tuning.countBudget / checks)));
    return { total: Math.round((driver.size * matching(sample)) / Math.max(1, sample.length)), totalExact: false };
  }
}
