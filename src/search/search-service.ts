import type { AgentRecord, Tombstone } from '../store/agent-record.js';
import type { AgentStore, SearchPosition, TermSearch, TermSearchPage } from '../store/agent-store.js';
import { term, type TermKind } from './index-terms.js';
import { changedPositionOf, decodeCursor, encodeChangedCursor, encodeCursor, encodeSearchCursor, searchPositionOf, type CursorPosition } from './page-cursor.js';
import { RecentEstimates } from './recent-estimates.js';
import { SearchAdmission } from './search-admission.js';
import type { SearchCriteria } from './search-criteria.js';
import { tokenize } from './tokenizer.js';
import { isPrefixable } from './word-prefixes.js';

/** One page of a listing or a search, best match first. */
export interface SearchPage {
  records: AgentRecord[];
  /** How many agents match in all pages: exact when `totalExact`, otherwise an estimate. */
  total: number;
  totalExact: boolean;
  nextCursor?: string;
  /** Listings of what changed with `includeDeleted`: the tombstones of the agents deleted since, in the order of their deletion. */
  deleted?: Tombstone[];
}

/** Records fetched first for a page: few enough that even cards at the body limit stay near the byte budget. */
const FIRST_FETCH = 8;

/** Bytes an entry of a page holds besides its card's text, name and description: its other fields. */
const ENTRY_OVERHEAD_BYTES = 512;

/** About the bytes a record adds to a page: its card, and its entry, which repeats the card's name and description (and says why its signature failed). */
const pageBytesOf = (record: AgentRecord) =>
  record.card.length +
  record.summary.name.length +
  record.summary.description.length +
  (record.summary.signatureError?.message.length ?? 0) +
  ENTRY_OVERHEAD_BYTES;

/** The structured filters of a search, which other readers (the change log, mirrors) apply too. */
export type StructuredFilters = Pick<
  SearchCriteria,
  'skills' | 'tags' | 'inputModes' | 'outputModes' | 'bindings' | 'providers' | 'extensions' | 'signatureStatuses' | 'probeStatuses' | 'streaming' | 'pushNotifications'
>;

/** The index terms an agent must belong to for the structured filters of `criteria` to hold. */
export function structuredTerms(criteria: StructuredFilters): string[] {
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
  add('probe', criteria.probeStatuses ?? []);
  if (criteria.streaming !== undefined) add('streaming', [String(criteria.streaming)]);
  if (criteria.pushNotifications !== undefined) add('push', [String(criteria.pushNotifications)]);
  return [...terms];
}

/** Whether `criteria` ask for every agent (no filter, no indexable word, no `updatedSince`): a listing by id, not a search. */
export function listsEveryAgent(criteria: SearchCriteria): boolean {
  return criteria.updatedSince === undefined && structuredTerms(criteria).length === 0 && tokenize(criteria.query ?? '').length === 0;
}

/**
 * Listing and search over the index sets. Listings are ordered by id. A query word of prefixable
 * length matches the card words it begins too (its `pre:` term), where the store indexes prefixes.
 * Search results are ordered
 * deterministically: agents whose name holds every query word (or a word it begins) first (tier 0), then the other
 * matches (tier 1), each oldest registration first (by agent number). The store walks the index in
 * that order and stops at the page, so a search costs about a page whatever it matches; a walk
 * that spends its budget first answers a shorter page, even an empty one, with a cursor to go on.
 */
export class SearchService {
  constructor(
    private readonly store: AgentStore,
    /** About the most bytes of agent records a page carries: a page that would hold more ends early, with a cursor. */
    private readonly maxPageBytes: number,
    /** Told what each filtered page cost, for metrics. @defaultValue does nothing */
    private readonly observe: (page: TermSearchPage) => void = () => {},
    /** Turns for costly walks. @defaultValue a {@link SearchAdmission} with its defaults */
    private readonly admission = new SearchAdmission(),
    /** The estimated totals of recent searches, answered again by their later pages. @defaultValue a {@link RecentEstimates} with its defaults */
    private readonly estimates = new RecentEstimates(),
  ) {}

  /** A page of what `criteria` ask for, of at most about `maxBytes` of records (default: the page budget). */
  async search(criteria: SearchCriteria, maxBytes = this.maxPageBytes): Promise<SearchPage> {
    const cursor = criteria.cursor === undefined ? undefined : decodeCursor(criteria.cursor);
    const filters = structuredTerms(criteria);
    const words = [...new Set(tokenize(criteria.query ?? ''))];
    const budget = Math.min(maxBytes, this.maxPageBytes);
    if (criteria.updatedSince !== undefined) return this.listChanged(criteria.updatedSince, cursor, criteria.limit, criteria.includeDeleted ?? false, budget);
    if (filters.length === 0 && words.length === 0) return this.listAll(cursor, criteria.limit, criteria.includeInactive, budget);

    const found = await this.walk({
      ...this.termsOf(filters, words),
      includeInactive: criteria.includeInactive,
      ...(cursor ? { after: searchPositionOf(cursor) } : {}),
      wanted: criteria.limit + 1,
    });
    this.observe(found);
    const shown = found.hits.slice(0, criteria.limit);
    const { records, taken } = await this.recordsWithin(shown.map((hit) => hit.id), budget);
    const next: SearchPosition | undefined =
      taken < shown.length || found.hits.length > criteria.limit ? shown[taken - 1]?.position : found.stoppedAt;
    return {
      records,
      total: found.total,
      totalExact: found.totalExact,
      ...(next ? { nextCursor: encodeSearchCursor(next) } : {}),
    };
  }

  /**
   * How many agents match `criteria` and belong to every one of `extraTerms` too (such as a facet
   * value's term): exact when the store could count them within its budget, otherwise its estimate.
   * One bounded walk that wants a single hit: its cost is the store's count budget, not the matches.
   */
  async count(criteria: SearchCriteria, extraTerms: readonly string[] = []): Promise<{ total: number; exact: boolean }> {
    const filters = [...structuredTerms(criteria), ...extraTerms];
    const words = [...new Set(tokenize(criteria.query ?? ''))];
    if (filters.length === 0 && words.length === 0) return { total: await this.store.count(criteria.includeInactive), exact: true };
    const found = await this.walk({ ...this.termsOf(filters, words), includeInactive: criteria.includeInactive, wanted: 1 });
    this.observe(found);
    return { total: found.total, exact: found.totalExact };
  }

  /**
   * The store's walk for `search`, in its turn when it is costly, given the estimate of its terms'
   * total that a recent page made, if any; a new estimate is kept for the pages after it.
   */
  private async walk(search: TermSearch): Promise<TermSearchPage> {
    const key = RecentEstimates.keyOf(search.terms, search.includeInactive);
    const estimate = this.estimates.get(key);
    const found = await this.admission.run(estimate === undefined ? search : { ...search, estimate }, (admitted) => this.store.searchTerms(admitted));
    if (!found.totalExact && estimate === undefined) this.estimates.keep(key, found.total);
    return found;
  }

  /** The terms a search walks, and those that rank a match first: a word of prefixable length matches by its prefix term (the cards with it whole and those with a word it begins). */
  private termsOf(filters: readonly string[], words: readonly string[]): { terms: string[]; preferred: string[] } {
    const byPrefix = (word: string) => this.store.indexesWordPrefixes && isPrefixable(word);
    return {
      terms: [...filters, ...words.map((w) => term(byPrefix(w) ? 'pre' : 'tok', w))],
      preferred: words.map((w) => term(byPrefix(w) ? 'npre' : 'ntok', w)),
    };
  }

  private async listAll(cursor: CursorPosition | undefined, limit: number, includeInactive: boolean, maxBytes: number): Promise<SearchPage> {
    const { ids, total } = await this.store.listPage(cursor?.key, limit + 1, includeInactive);
    const shown = ids.slice(0, limit);
    const { records, taken } = await this.recordsWithin(shown, maxBytes);
    const last = shown[taken - 1];
    return {
      records,
      total,
      totalExact: true,
      ...(ids.length > taken && last !== undefined ? { nextCursor: encodeCursor({ tier: 0, key: last }) } : {}),
    };
  }

  /**
   * The agents that changed at or after `since` (and the tombstones of those deleted since, when
   * asked), in the order of their last change: a page of the store's sorted sets by time, cut
   * where the records reach the byte budget. Inactive agents are listed too: a mirror must learn
   * that they expired.
   */
  private async listChanged(since: number, cursor: CursorPosition | undefined, limit: number, includeDeleted: boolean, maxBytes: number): Promise<SearchPage> {
    const after = cursor === undefined ? undefined : changedPositionOf(cursor);
    const { entries, total } = await this.store.changedSince(since, after, limit + 1, includeDeleted);
    let shown = entries.slice(0, limit);
    const agentIds = shown.flatMap((entry) => (entry.kind === 'agent' ? [entry.id] : []));
    const { records, taken } = await this.recordsWithin(agentIds, maxBytes);
    if (taken < agentIds.length) {
      // The page ends with the last agent whose record fit, and the tombstones before it.
      let agents = 0;
      shown = shown.slice(0, shown.findIndex((entry) => entry.kind === 'agent' && ++agents === taken) + 1);
    }
    const last = shown.at(-1);
    const more = shown.length < entries.length;
    return {
      records,
      total,
      totalExact: true,
      ...(more && last ? { nextCursor: encodeChangedCursor(last.position) } : {}),
      ...(includeDeleted ? { deleted: shown.flatMap((entry) => (entry.kind === 'deleted' ? [entry.tombstone] : [])) } : {}),
    };
  }

  /**
   * The records of `ids` in order, as many as fit `maxBytes` (the first always does), fetched a few
   * at a time so that a page of large cards never holds much more than that: the first fetch is
   * small, each next one at most twice what was taken and no more than the room left holds of the
   * largest record seen. `taken` counts the ids they cover (a record deleted since is skipped).
   */
  private async recordsWithin(ids: readonly string[], maxBytes: number): Promise<{ records: AgentRecord[]; taken: number }> {
    const records: AgentRecord[] = [];
    let taken = 0;
    let bytes = 0;
    let largest = 0;
    while (taken < ids.length) {
      const count = taken === 0 ? FIRST_FETCH : Math.max(1, Math.min(2 * taken, Math.floor((maxBytes - bytes) / largest)));
      const wanted = ids.slice(taken, taken + count);
      const byId = new Map((await this.store.getMany(wanted)).map((record) => [record.id, record]));
      for (const id of wanted) {
        const record = byId.get(id);
        const size = record ? pageBytesOf(record) : 0;
        if (records.length > 0 && bytes + size > maxBytes) return { records, taken };
        taken++;
        if (!record) continue;
        records.push(record);
        bytes += size;
        largest = Math.max(largest, size);
      }
    }
    return { records, taken };
  }
}
