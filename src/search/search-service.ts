import type { AgentRecord } from '../store/agent-record.js';
import type { AgentStore, SearchPosition, TermSearchPage } from '../store/agent-store.js';
import { term, type TermKind } from './index-terms.js';
import { decodeCursor, encodeCursor, encodeSearchCursor, searchPositionOf, type CursorPosition } from './page-cursor.js';
import type { SearchCriteria } from './search-criteria.js';
import { tokenize } from './tokenizer.js';

/** One page of a listing or a search, best match first. */
export interface SearchPage {
  records: AgentRecord[];
  /** How many agents match in all pages: exact when `totalExact`, otherwise an estimate. */
  total: number;
  totalExact: boolean;
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

/**
 * Listing and search over the index sets. Listings are ordered by id. Search results are ordered
 * deterministically: agents whose name holds every query word first (tier 0), then the other
 * matches (tier 1), each oldest registration first (by agent number). The store walks the index in
 * that order and stops at the page, so a search costs about a page whatever it matches; a walk
 * that spends its budget first answers a shorter page, even an empty one, with a cursor to go on.
 */
export class SearchService {
  constructor(
    private readonly store: AgentStore,
    /** Told what each filtered page cost, for metrics. @defaultValue does nothing */
    private readonly observe: (page: TermSearchPage) => void = () => {},
  ) {}

  async search(criteria: SearchCriteria): Promise<SearchPage> {
    const cursor = criteria.cursor === undefined ? undefined : decodeCursor(criteria.cursor);
    const filters = structuredTerms(criteria);
    const words = [...new Set(tokenize(criteria.query ?? ''))];
    if (filters.length === 0 && words.length === 0) return this.listAll(cursor, criteria.limit, criteria.includeInactive);

    const found = await this.store.searchTerms({
      terms: [...filters, ...words.map((w) => term('tok', w))],
      preferred: words.map((w) => term('ntok', w)),
      includeInactive: criteria.includeInactive,
      ...(cursor ? { after: searchPositionOf(cursor) } : {}),
      wanted: criteria.limit + 1,
    });
    this.observe(found);
    const shown = found.hits.slice(0, criteria.limit);
    const next: SearchPosition | undefined = found.hits.length > criteria.limit ? shown.at(-1)?.position : found.stoppedAt;
    return {
      records: await this.store.getMany(shown.map((hit) => hit.id)),
      total: found.total,
      totalExact: found.totalExact,
      ...(next ? { nextCursor: encodeSearchCursor(next) } : {}),
    };
  }

  private async listAll(cursor: CursorPosition | undefined, limit: number, includeInactive: boolean): Promise<SearchPage> {
    const { ids, total } = await this.store.listPage(cursor?.key, limit + 1, includeInactive);
    const shown = ids.slice(0, limit);
    const last = shown.at(-1);
    return {
      records: await this.store.getMany(shown),
      total,
      totalExact: true,
      ...(ids.length > limit && last !== undefined ? { nextCursor: encodeCursor({ tier: 0, key: last }) } : {}),
    };
  }
}
