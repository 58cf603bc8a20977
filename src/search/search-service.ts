import type { AgentRecord } from '../store/agent-record.js';
import type { AgentStore } from '../store/agent-store.js';
import { ACTIVE_TERM } from '../store/redis-keys.js';
import { term, type TermKind } from './index-terms.js';
import { decodeCursor, encodeCursor, isAfter, type CursorPosition } from './page-cursor.js';
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

/**
 * Listing and search over the index sets. Results are ordered deterministically: agents whose
 * name holds every query word first (tier 0), then the other matches (tier 1), each by id.
 */
export class SearchService {
  constructor(private readonly store: AgentStore) {}

  async search(criteria: SearchCriteria): Promise<SearchPage> {
    const cursor = criteria.cursor === undefined ? undefined : decodeCursor(criteria.cursor);
    const filters = structuredTerms(criteria);
    const words = [...new Set(tokenize(criteria.query ?? ''))];
    if (filters.length === 0 && words.length === 0) return this.listAll(cursor, criteria.limit, criteria.includeInactive);
    if (!criteria.includeInactive) filters.push(ACTIVE_TERM);

    const [matches, nameMatches] = await Promise.all([
      this.store.intersect([...filters, ...words.map((w) => term('tok', w))]),
      words.length > 0 ? this.store.intersect([...filters, ...words.map((w) => term('ntok', w))]) : [],
    ]);
    const inName = new Set(nameMatches);
    const ranked = matches
      .map((id): CursorPosition => ({ tier: inName.has(id) ? 0 : 1, id }))
      .sort((a, b) => a.tier - b.tier || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const start = cursor === undefined ? 0 : ranked.findIndex((position) => isAfter(position, cursor));
    const window = start < 0 ? [] : ranked.slice(start, start + criteria.limit + 1);
    return this.page(window, criteria.limit, ranked.length);
  }

  private async listAll(cursor: CursorPosition | undefined, limit: number, includeInactive: boolean): Promise<SearchPage> {
    const [ids, total] = await Promise.all([
      this.store.listIds(cursor?.id, limit + 1, includeInactive),
      this.store.count(includeInactive),
    ]);
    return this.page(
      ids.map((id) => ({ tier: 0, id })),
      limit,
      total,
    );
  }

  /** Loads the page's records; `window` holds one position more than the page when another page follows. */
  private async page(window: CursorPosition[], limit: number, total: number): Promise<SearchPage> {
    const shown = window.slice(0, limit);
    const records = await this.store.getMany(shown.map((p) => p.id));
    const last = shown[shown.length - 1];
    return { records, total, ...(window.length > limit && last ? { nextCursor: encodeCursor(last) } : {}) };
  }
}
