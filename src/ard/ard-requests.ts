import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { A2A_CARD_TYPE } from '../catalog/catalog-entry-presenter.js';
import type { SearchCriteria } from '../search/search-criteria.js';

// The request bodies and parameters of the ARD registry API (ard.openapi.yaml), and how a query maps
// onto the registry's own search criteria.

/** Results a search page holds when the client names no `pageSize`, and at most (ARD §5.3.2). */
export const ARD_SEARCH_PAGE_SIZE = 10;
/** Items a listing page holds when the client names no `pageSize`, and at most (ARD §5.3.5). */
export const ARD_LIST_PAGE_SIZE = 20;
const ARD_MAX_PAGE_SIZE = 100;
/** Buckets a facet shows at most, and by default: each is one bounded count. */
export const MAX_FACET_LIMIT = 20;
/** Facets one explore request may ask for. */
const MAX_FACETS = 4;

const filterValue = z.union([z.string().max(512), z.array(z.string().max(512)).min(1).max(16)]);
const queryFields = {
  /** Binds prefixes of filter keys; the registry filters only on core terms, which need none. */
  '@context': z.union([z.string().max(2048), z.record(z.string(), z.unknown())]).optional(),
  filter: z.record(z.string(), filterValue).optional(),
};
const text = z.string().max(1024);
const pageToken = z.string().min(1).max(2048);

export const ardSearchRequest = z.strictObject({
  query: z.strictObject({ ...queryFields, text }),
  /** The registry searches its own index only: `auto` and `referrals` get no referrals, as `none`. */
  federation: z.enum(['auto', 'referrals', 'none']).optional(),
  pageSize: z.number().int().min(1).max(ARD_MAX_PAGE_SIZE).optional(),
  pageToken: pageToken.optional(),
});
export type ArdSearchRequest = z.infer<typeof ardSearchRequest>;

/** The facets explore counts, as the request names them. */
const FACET_FIELDS = ['type', 'tags', 'provider', 'binding'] as const;
export type FacetField = (typeof FACET_FIELDS)[number];

export const ardExploreRequest = z.strictObject({
  query: z.strictObject({ ...queryFields, text: text.optional() }).optional(),
  resultType: z.strictObject({
    facets: z
      .array(
        z.strictObject({
          field: z.enum(FACET_FIELDS, { error: `must be one of ${FACET_FIELDS.join(', ')}` }),
          limit: z.number().int().min(1).max(MAX_FACET_LIMIT).optional(),
          minCount: z.number().int().min(0).optional(),
        }),
      )
      .min(1)
      .max(MAX_FACETS)
      .refine((facets) => new Set(facets.map((facet) => facet.field)).size === facets.length, { error: 'names a field twice' }),
  }),
});
export type ArdExploreRequest = z.infer<typeof ardExploreRequest>;

const wholeNumber = z.string().regex(/^\d{1,4}$/, 'must be a whole number').transform(Number).pipe(z.number().int().min(1).max(ARD_MAX_PAGE_SIZE));

/** `GET {base}/agents`: filter expressions and orderings are not served, and are refused rather than ignored. */
export const ardListRequest = z.strictObject({
  pageSize: wholeNumber.optional(),
  pageToken: pageToken.optional(),
  filter: z.undefined({ error: 'filter expressions are not supported by this registry: use POST /search with query.filter' }).optional(),
  orderBy: z.undefined({ error: 'orderBy is not supported: agents are listed in the order of their ids' }).optional(),
});

export const ardAgentRequest = z.strictObject({ identifier: z.string().min(1).max(1024) });

/** The registry's structured filters each ARD filter key maps to: each a core term the index holds. */
const FILTER_KEYS: Record<string, keyof Pick<SearchCriteria, 'tags' | 'skills' | 'providers' | 'bindings' | 'inputModes' | 'outputModes' | 'probeStatuses'>> = {
  tags: 'tags',
  capabilities: 'skills',
  skills: 'skills',
  provider: 'providers',
  binding: 'bindings',
  protocolBinding: 'bindings',
  inputModes: 'inputModes',
  outputModes: 'outputModes',
  probeStatus: 'probeStatuses',
};

/** Search criteria that list every active agent, `limit` a page. */
export function everyActiveAgent(limit: number): SearchCriteria {
  return { skills: [], tags: [], inputModes: [], outputModes: [], bindings: [], providers: [], extensions: [], signatureStatuses: [], probeStatuses: [], includeInactive: false, limit };
}

/** What a query asks, as search criteria; `none` when its `type` filter names no type the registry holds. */
export type MappedQuery = { criteria: SearchCriteria } | 'none';

const asList = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);

/**
 * The search criteria of an ARD query: its text, and its filter keys mapped to the structured
 * filters. Within one key ARD ORs the values, which the index cannot do at the cost of one walk:
 * one value per key is served (any number for `type`), more are refused, as unknown keys are.
 */
export function criteriaOf(query: { text?: string | undefined; filter?: Record<string, string | string[]> | undefined } | undefined, limit: number): MappedQuery {
  const criteria = everyActiveAgent(limit);
  const text = query?.text?.trim();
  if (text) criteria.query = text;
  const violations: { path: string; message: string }[] = [];
  let none = false;
  for (const [key, value] of Object.entries(query?.filter ?? {})) {
    const values = asList(value);
    if (key === 'type') {
      none ||= !values.includes(A2A_CARD_TYPE);
      continue;
    }
    const field = FILTER_KEYS[key];
    if (!field) violations.push({ path: `$.query.filter.${key}`, message: `is not a filter this registry supports (type, ${Object.keys(FILTER_KEYS).join(', ')})` });
    else if (values.length > 1) violations.push({ path: `$.query.filter.${key}`, message: 'one value per key is supported' });
    else (criteria[field] ??= []).push(values[0] as string);
  }
  if (violations.length > 0) throw new ValidationError('Invalid query filter', violations);
  return none ? 'none' : { criteria };
}
