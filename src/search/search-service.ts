import type { AgentRecord } from '../store/agent-record.js';
import type { AgentStore } from '../store/agent-store.js';
import { ACTIVE_TERM } from '../store/redis-keys.js';
import { term, type TermKind } from './index-terms.js';
import { agentNumberKey, agentNumberOf, decodeCursor, encodeCursor, isAfter, type CursorPosition } from './page-cursor.js';
import type { SearchCriteria } from './search-criteria.js';
import { tokenize } from './tokenizer.js';

/** One page of a listing or a search, best match first. */
export interface SearchPage {
  records: AgentRecord[];
  /** How many agents match in all pages. */
  total: number;
  nextCursor?: string;
}

function structuredTerms(criteria: SearchCriteria): string[] {
  const terms = new Set<string>();
  const add = (kind: TermKind, values: readonly string[]) => values.forEach((v) => terms.add(term(kind, v)));
  add('skill', criteria.skills);
  add('tag', criteria.tags);
  add('in', criteria.inputModes);
  add('out', criteria.outputModes);
  add('binding', criteria.bindings);
  add('org', criteria.providers);
  add('ext', criteria.extensions);
  add('sig', criteria.signatureStatuses);
  if (criteria.streaming !== undefined) add('streaming', [String(criteria.streaming)]);
  if (criteria.pushNotifications !== undefined) add('push', [String(criteria.pushNotifications)]);
  return [...terms];
}

/** The matches in result order, as tiers: agents whose name holds every query word (0), then the others (1), each by number. */
function rankedTiers(matches: number[], nameMatches: number[]): number[][] {
  const inName = new Set(nameMatches);
  const byNumber = matches.sort((a, b) => a - b);
  return [byNumber.filter((n) => inName.has(n)), byNumber.filter((n) => !inName.has(n))];
}

/**
 * Up to `count` positions of the ranked tiers, strictly after the cursor when given. Only these
 * get sort keys: a search at 100,000 agents matches hundreds, and its page shows twenty.
 */
function windowAfter(tiers: number[][], cursor: CursorPosition | undefined, count: number): CursorPosition[] {
  const window: CursorPosition[] = [];
  tiers.forEach((numbers, tier) => {
    for (let i = firstAfter(numbers, tier, cursor); i < numbers.length && window.length < count; i++) {
      window.push({ tier, key: agentNumberKey(numbers[i] as number) });
    }
  });
  return window;
}

/** Index of the first of a tier's ascending numbers whose position comes after the cursor; positions ascend with numbers, so a binary search finds it. */
function firstAfter(numbers: number[], tier: number, cursor: CursorPosition | undefined): number {
  if (cursor === undefined) return 0;
  let low = 0;
  let high = numbers.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (isAfter({ tier, key: agentNumberKey(numbers[middle] as number) }, cursor)) high = middle;
    else low = middle + 1;
  }
  return low;
}

/**
 * Listing and search over the index sets. Listings are ordered by id. Search results are ordered
 * deterministically: agents whose name holds every query word first (tier 0), then the other
 * matches (tier 1), each oldest registration first (by agent number, which index sets hold, so a
 * search maps only the page it shows back to ids).
 */
export class SearchService {
  constructor(private readonly store: AgentStore) {}

  async search(criteria: SearchCriteria): Promise<SearchPage> {
    const cursor = criteria.cursor === undefined ? undefined : decodeCursor(criteria.cursor);
    const filters = structuredTerms(criteria);
    const words = [...new Set(tokenize(criteria.query ?? ''))];
    if (filters.length === 0 && words.length === 0) return this.listAll(cursor, criteria.limit, criteria.includeInactive);
    if (!criteria.includeInactive) filters.push(ACTIVE_TERM);

    const [matches = [], nameMatches = []] = await this.store.intersectEach([
      [...filters, ...words.map((w) => term('tok', w))],
      words.length > 0 ? [...filters, ...words.map((w) => term('ntok', w))] : [],
    ]);
    const window = windowAfter(rankedTiers(matches, nameMatches), cursor, criteria.limit + 1);
    const ids = (await this.store.idsOf(window.slice(0, criteria.limit).map(agentNumberOf))).filter((id) => id !== null);
    return this.page(window, criteria.limit, matches.length, ids);
  }

  private async listAll(cursor: CursorPosition | undefined, limit: number, includeInactive: boolean): Promise<SearchPage> {
    const { ids, total } = await this.store.listPage(cursor?.key, limit + 1, includeInactive);
    return this.page(
      ids.map((id) => ({ tier: 0, key: id })),
      limit,
      total,
      ids.slice(0, limit),
    );
  }

  /**
   * Loads the records of the page's agents (`ids`); `window` holds the page's positions, and one
   * more when another page follows.
   */
  private async page(window: CursorPosition[], limit: number, total: number, ids: string[]): Promise<SearchPage> {
    const records = await this.store.getMany(ids);
    const last = window[Math.min(limit, window.length) - 1];
    return { records, total, ...(window.length > limit && last ? { nextCursor: encodeCursor(last) } : {}) };
  }
}
