import { z } from 'zod';
import { named } from '../http/named-schemas.js';
import { catalogEntrySchema } from '../catalog/catalog-responses.js';

// The bodies the ARD registry API answers (ard.openapi.yaml), beside their presenter.

const ardSearchResultSchema = catalogEntrySchema.extend({
  /** 0 to 100, from the result's rank in the search's order: a relevance hint, never a trust signal. */
  score: z.number().int().min(0).max(100),
  /** The base URL of this registry's ARD API, where `GET /agents/{identifier}` reads the full entry. */
  source: z.string(),
});
export type ArdSearchResult = z.infer<typeof ardSearchResultSchema>;

export const ardSearchResponse = named('ArdSearchResponse', z.object({ results: z.array(ardSearchResultSchema), pageToken: z.string().optional() }));
export type ArdSearchAnswer = z.infer<typeof ardSearchResponse>;

export const ardListResponse = named(
  'ArdListResponse',
  z.object({
    items: z.array(catalogEntrySchema),
    /** Every active agent: exact, as a listing counts it. */
    total: z.number().int().optional(),
    pageToken: z.string().optional(),
  }),
);
export type ArdListAnswer = z.infer<typeof ardListResponse>;

const facetResult = z.object({ buckets: z.array(z.object({ value: z.string(), count: z.number().int() })) });
export const ardExploreResponse = named('ArdExploreResponse', z.object({ resultType: z.literal('facets'), facets: z.record(z.string(), facetResult) }));
export type ArdExploreAnswer = z.infer<typeof ardExploreResponse>;

/** The error envelope of the ARD API (its Appendix B codes), on every error under its base. */
export const ardErrorEnvelope = named(
  'ArdError',
  z.object({
    /** `INVALID_ARGUMENT`, `UNAUTHENTICATED`, `PERMISSION_DENIED`, `NOT_FOUND`, `RATE_LIMIT_EXCEEDED`, `UNAVAILABLE` or `INTERNAL_ERROR`. */
    errorCode: z.string(),
    message: z.string(),
  }),
);
export type ArdError = z.infer<typeof ardErrorEnvelope>;
