import type { SearchPosition, TermSearch } from './agent-store.js';
import { packNumbers, SortedChunks } from './sorted-chunks.js';
import { DEFAULT_INDEX_TUNING, DEPRECATED_TERM, INACTIVE_TERM, type IndexTuning } from './term-layout.js';

const byNumber = (a: number, b: number) => a - b;

/** What a search reads of a term's members. */
type Members = Pick<SortedChunks<number>, 'size' | 'has' | 'after' | 'sample'>;

const NONE: Members = new SortedChunks<number>(byNumber);

/** The members of a term that has one, kept as that number alone; a view made when it is read. */
class OneMember implements Members {
  readonly size = 1;
  constructor(private readonly member: number) {}
  has(agentNumber: number): boolean {
    return agentNumber === this.member;
  }
  *after(after?: number): Generator<number> {
    if (after === undefined || this.member > after) yield this.member;
  }
  sample(): number[] {
    return [this.member];
  }
}

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
  /**
   * Each term's agent numbers: one number alone for a term of one agent (most words of names and
   * descriptions are), sorted chunks for more. A Map entry is all a term of one agent costs.
   */
  private readonly members = new Map<string, number | SortedChunks<number>>();

  constructor(private readonly tuning: Readonly<IndexTuning> = DEFAULT_INDEX_TUNING) {}

  private of(term: string): Members {
    const members = this.members.get(term);
    return members === undefined ? NONE : typeof members === 'number' ? new OneMember(members) : members;
  }

  add(term: string, agentNumber: number): void {
    const members = this.members.get(term);
    if (members === undefined) {
      this.members.set(term, agentNumber);
    } else if (typeof members === 'number') {
      if (members === agentNumber) return;
      const set = new SortedChunks(byNumber, packNumbers);
      set.add(members);
      set.add(agentNumber);
      this.members.set(term, set);
    } else {
      members.add(agentNumber);
    }
  }

  remove(term: string, agentNumber: number): void {
    const members = this.members.get(term);
    if (members === agentNumber) {
      this.members.delete(term);
    } else if (typeof members === 'object' && members.delete(agentNumber) && members.size === 1) {
      this.members.set(term, members.after().next().value as number);
    }
  }

  /** How many agents belong to `term`. */
  size(term: string): number {
    return this.of(term).size;
  }

  /** Moves an agent from the terms it had to the ones it has now. */
  move(agentNumber: number, had: readonly string[], wanted: readonly string[]): void {
    const keep = new Set(wanted);
    for (const term of had) if (!keep.has(term)) this.remove(term, agentNumber);
    for (const term of keep) this.add(term, agentNumber);
  }

  search(search: TermSearch): NumberHits {
    const inactive = search.includeInactive ? [] : [[INACTIVE_TERM]];
    // Deprecated agents come after the others, in tiers of their own in the same order.
    const notDeprecated = [...inactive, [DEPRECATED_TERM]];
    const tiers: Tier[] =
      search.preferred.length === 0
        ? [
            { terms: search.terms, groups: notDeprecated },
            { terms: [DEPRECATED_TERM, ...search.terms], groups: inactive },
          ]
        : [
            { terms: [...search.terms, ...search.preferred], groups: notDeprecated },
            { terms: search.terms, groups: [search.preferred, ...notDeprecated] },
            { terms: [DEPRECATED_TERM, ...search.terms, ...search.preferred], groups: inactive },
            { terms: [DEPRECATED_TERM, ...search.terms], groups: [search.preferred, ...inactive] },
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
    else Object.assign(found, this.count(search.terms, inactive, search.estimate));
    // A sample may miss every match; an estimate still counts the ones this page found.
    if (!found.totalExact) found.total = Math.max(found.total, found.hits.length);
    return found;
  }

  /** The rarest of `terms` (the one a walk follows) and its members. */
  private driverOf(terms: readonly string[]): { term: string; members: Members } {
    return terms.map((term) => ({ term, members: this.of(term) })).reduce((least, next) => (next.members.size < least.members.size ? next : least));
  }

  private excluded(groups: readonly (readonly string[])[], agentNumber: number): boolean {
    return groups.some((group) => group.every((term) => this.of(term).has(agentNumber)));
  }

  /** Whether `agentNumber`, a member of the driver, belongs to every other one of `terms`. */
  private matches(terms: readonly string[], driver: string, agentNumber: number): boolean {
    return terms.every((term) => term === driver || this.of(term).has(agentNumber));
  }

  /** Walks one tier's rarest term after `after`, adding hits until `wanted` are found or the budget is spent. */
  private walk(found: NumberHits, tier: number, { terms, groups }: Tier, after: number, wanted: number): 'full' | 'done' | 'budget' {
    const driver = this.driverOf(terms);
    let examined = after;
    for (const agentNumber of driver.members.after(after)) {
      if (found.work >= this.tuning.embeddedWalkBudget) {
        found.stoppedAt = { tier, agentNumber: examined };
        return 'budget';
      }
      found.work++;
      examined = agentNumber;
      if (!this.matches(terms, driver.term, agentNumber) || this.excluded(groups, agentNumber)) continue;
      found.hits.push({ agentNumber, tier });
      if (found.hits.length === wanted) return 'full';
    }
    return 'done';
  }

  /**
   * How many agents are in every one of `terms` and in no group: exact when cheap to count,
   * otherwise `estimate` when given (an earlier page's), else estimated from a sample.
   */
  private count(terms: readonly string[], groups: readonly (readonly string[])[], estimate: number | undefined): Pick<NumberHits, 'total' | 'totalExact'> {
    const { term: driverTerm, members: driver } = this.driverOf(terms);
    const live = groups.filter((group) => this.driverOf(group).members.size > 0);
    if (terms.length === 1 && live.length === 0) return { total: driver.size, totalExact: true };
    const checks = terms.length - 1 + live.length;
    const matching = (numbers: Iterable<number>) => {
      let count = 0;
      for (const n of numbers) if (this.matches(terms, driverTerm, n) && !this.excluded(live, n)) count++;
      return count;
    };
    if (driver.size <= this.tuning.countBudget) return { total: matching(driver.after()), totalExact: true };
    const [excluded] = live;
    if (terms.length === 1 && live.length === 1 && excluded?.length === 1) {
      const left = this.of(excluded[0] as string);
      if (left.size <= this.tuning.countBudget) return { total: driver.size - [...left.after()].filter((n) => driver.has(n)).length, totalExact: true };
    }
    if (estimate !== undefined) return { total: estimate, totalExact: false };
    const sample = driver.sample(Math.max(this.tuning.estimateSamples, Math.floor(this.tuning.countBudget / checks)));
    return { total: Math.round((driver.size * matching(sample)) / Math.max(1, sample.length)), totalExact: false };
  }
}
