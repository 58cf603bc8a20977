import { airIdentifierOf, candidateAgentIdOf } from '../agents/air-identifier.js';
import { A2A_CARD_TYPE, presentCatalogEntry, type CatalogSite } from '../catalog/catalog-entry-presenter.js';
import type { CatalogEntry } from '../catalog/catalog-responses.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { term } from '../search/index-terms.js';
import type { SearchCriteria } from '../search/search-criteria.js';
import type { SearchService } from '../search/search-service.js';
import type { AgentRecord } from '../store/agent-record.js';
import type { AgentStore } from '../store/agent-store.js';
import { candidateValues, FACET_TERM_KINDS } from './ard-facets.js';
import {
  ARD_LIST_PAGE_SIZE,
  ARD_SEARCH_PAGE_SIZE,
  criteriaOf,
  everyActiveAgent,
  MAX_FACET_LIMIT,
  type ArdExploreRequest,
  type ArdSearchRequest,
} from './ard-requests.js';
import type { ArdExploreAnswer, ArdListAnswer, ArdSearchAnswer } from './ard-responses.js';

/** Matches whose cards supply the candidate values of explore's facets: the first of the query's order. */
export const FACET_CANDIDATE_RECORDS = 50;

/** A page token: the rank of the page's first result (for its scores), and the search's own cursor. */
function encodePageToken(offset: number, cursor: string): string {
  return Buffer.from(JSON.stringify([offset, cursor])).toString('base64url');
}

function decodePageToken(token: string): { offset: number; cursor: string } {
  try {
    const [offset, cursor] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown[];
    if (Number.isSafeInteger(offset) && (offset as number) >= 0 && typeof cursor === 'string' && encodePageToken(offset as number, cursor) === token) {
      return { offset: offset as number, cursor };
    }
  } catch {
    // refused below
  }
  throw new ValidationError('Invalid pageToken', [{ path: '$.pageToken', message: 'is not a page token this registry issued' }]);
}

/** The score of the result at `rank` (0 first) in the search's order: 100 for the first, one less for each next, never below 1. */
function scoreOfRank(rank: number): number {
  return Math.max(1, 100 - rank);
}

/**
 * The ARD registry API over the registry's own search: the same bounded walks as `GET /agents`,
 * its records presented as catalog entries.
 */
export class ArdService {
  constructor(
    private readonly store: AgentStore,
    private readonly search: SearchService,
    private readonly site: CatalogSite,
    /** The absolute base URL of the API, each result's `source`. */
    private readonly source: string,
  ) {}

  async searchAgents(request: ArdSearchRequest): Promise<ArdSearchAnswer> {
    const mapped = criteriaOf(request.query, request.pageSize ?? ARD_SEARCH_PAGE_SIZE);
    if (mapped === 'none') return { results: [] };
    const token = request.pageToken === undefined ? undefined : decodePageToken(request.pageToken);
    const page = await this.search.search({ ...mapped.criteria, ...(token ? { cursor: token.cursor } : {}) });
    const offset = token?.offset ?? 0;
    const results = page.records.map((record, i) => ({ ...this.entryOf(record), score: scoreOfRank(offset + i), source: this.source }));
    return { results, ...(page.nextCursor ? { pageToken: encodePageToken(offset + results.length, page.nextCursor) } : {}) };
  }

  /** The entry an identifier names: NotFoundError when the registry holds none, ValidationError when it is no `urn:air` identifier. */
  async agent(identifier: string): Promise<CatalogEntry> {
    const id = candidateAgentIdOf(identifier, this.site.publisher);
    if (id === undefined) {
      throw new ValidationError('Invalid identifier', [{ path: '$.identifier', message: 'must be a urn:air identifier: urn:air:{publisher}:{namespace}:{name}' }]);
    }
    const record = await this.store.get(id);
    if (!record || airIdentifierOf(record, this.site.publisher) !== identifier) throw new NotFoundError(`No agent has the identifier ${identifier}`);
    return this.entryOf(record);
  }

  async list(request: { pageSize?: number | undefined; pageToken?: string | undefined }): Promise<ArdListAnswer> {
    const token = request.pageToken === undefined ? undefined : decodePageToken(request.pageToken);
    const page = await this.search.search({ ...everyActiveAgent(request.pageSize ?? ARD_LIST_PAGE_SIZE), ...(token ? { cursor: token.cursor } : {}) });
    const items = page.records.map((record) => this.entryOf(record));
    return {
      items,
      ...(page.totalExact ? { total: page.total } : {}),
      ...(page.nextCursor ? { pageToken: encodePageToken((token?.offset ?? 0) + items.length, page.nextCursor) } : {}),
    };
  }

  /**
   * Facet counts over the query's matches. The values counted are the most frequent among the
   * first {@link FACET_CANDIDATE_RECORDS} matches, each counted by one bounded walk of the index
   * (its term and the query's): `exact` is false when any count is the store's estimate.
   */
  async explore(request: ArdExploreRequest): Promise<{ answer: ArdExploreAnswer; exact: boolean }> {
    const mapped = criteriaOf(request.query, FACET_CANDIDATE_RECORDS);
    const facets: ArdExploreAnswer['facets'] = {};
    if (mapped === 'none') {
      for (const facet of request.resultType.facets) facets[facet.field] = { buckets: [] };
      return { answer: { resultType: 'facets', facets }, exact: true };
    }
    const needsCandidates = request.resultType.facets.some((facet) => facet.field !== 'type');
    const records = needsCandidates ? (await this.search.search(mapped.criteria)).records : [];
    let exact = true;
    for (const facet of request.resultType.facets) {
      const counted = await this.countFacet(mapped.criteria, facet, records);
      exact &&= counted.exact;
      facets[facet.field] = { buckets: counted.buckets };
    }
    return { answer: { resultType: 'facets', facets }, exact };
  }

  private async countFacet(
    criteria: SearchCriteria,
    facet: ArdExploreRequest['resultType']['facets'][number],
    records: readonly AgentRecord[],
  ): Promise<{ buckets: { value: string; count: number }[]; exact: boolean }> {
    const minCount = facet.minCount ?? 1;
    if (facet.field === 'type') {
      const { total, exact } = await this.search.count(criteria);
      return { buckets: total >= minCount ? [{ value: A2A_CARD_TYPE, count: total }] : [], exact };
    }
    const kind = FACET_TERM_KINDS[facet.field];
    const values = candidateValues(records, facet.field).slice(0, facet.limit ?? MAX_FACET_LIMIT);
    let exact = true;
    const buckets: { value: string; count: number }[] = [];
    for (const value of values) {
      const counted = await this.search.count(criteria, [term(kind, value)]);
      exact &&= counted.exact;
      if (counted.total >= minCount) buckets.push({ value, count: counted.total });
    }
    buckets.sort((a, b) => b.count - a.count);
    return { buckets, exact };
  }

  private entryOf(record: AgentRecord): CatalogEntry {
    return presentCatalogEntry(record, this.site);
  }
}
