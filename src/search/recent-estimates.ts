import { OrderedMap } from '../ordered-map.js';

/** The bounds of {@link RecentEstimates}. */
export interface RecentEstimatesOptions {
  /** How long an estimate is answered again. @defaultValue 5000 */
  ttlMs?: number;
  /** Most searches whose estimate is kept; the oldest kept is dropped first. @defaultValue 1024 */
  maxEntries?: number;
  /** The clock. @defaultValue Date.now */
  now?: () => number;
}

/**
 * The estimated totals of recent searches, by their terms: the later pages of a search (and other
 * searches of the same terms) answer the first page's estimate for a few seconds rather than have
 * the store sample the index again, which is most of the work of a page of broad filters met
 * together. An estimate is not a count: one a few seconds old is as good as a new one, and the same
 * total on every page of a search is what a reader expects.
 */
export class RecentEstimates {
  private readonly kept = new OrderedMap<string, { total: number; until: number }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor({ ttlMs = 5000, maxEntries = 1024, now = Date.now }: RecentEstimatesOptions = {}) {
    this.ttlMs = ttlMs;
    this.maxEntries = maxEntries;
    this.now = now;
  }

  /** The key of a search's terms: their order does not change what matches. */
  static keyOf(terms: readonly string[], includeInactive: boolean): string {
    return `${includeInactive ? 'all' : 'active'}\n${[...terms].sort().join('\n')}`;
  }

  /** The estimate kept for `key`, while it is recent. */
  get(key: string): number | undefined {
    const entry = this.kept.get(key);
    if (entry === undefined) return undefined;
    if (entry.until > this.now()) return entry.total;
    this.kept.delete(key);
    return undefined;
  }

  /** Keeps a new estimate of `key`'s total. */
  keep(key: string, total: number): void {
    this.kept.set(key, { total, until: this.now() + this.ttlMs });
    this.kept.trimTo(this.maxEntries);
  }
}
