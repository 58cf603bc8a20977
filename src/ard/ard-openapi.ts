import { z } from 'zod';
import type { ApiOperation, ApiResponse } from '../http/api-description.js';
import { catalogEntrySchema } from '../catalog/catalog-responses.js';
import { ARD_BASE } from './ard-base.js';
import { ardAgentRequest, ardExploreRequest, ardListRequest, ardSearchRequest } from './ard-requests.js';
import { ardErrorEnvelope, ardExploreResponse, ardListResponse, ardSearchResponse } from './ard-responses.js';
import { FACET_COUNTS_HEADER } from './ard-routes.js';

// The ARD registry API (ard-routes.ts), for the API document. Its errors are in the ARD envelope.

const TAG = 'discovery';

const ERROR_MEANINGS: Record<number, string> = {
  400: '`INVALID_ARGUMENT`: a malformed body, query, page token, filter or identifier',
  401: '`UNAUTHENTICATED`: credentials missing where reads require them, or rejected',
  404: '`NOT_FOUND`: no entry has the identifier',
  413: '`INVALID_ARGUMENT`: the body is larger than allowed',
  415: '`INVALID_ARGUMENT`: the body is not JSON',
  429: '`RATE_LIMIT_EXCEEDED`: the read budget is spent; `Retry-After` says when to come back',
  500: '`INTERNAL_ERROR`: a fault of the registry',
  503: '`UNAVAILABLE`: storage (Redis) unavailable; retry after `Retry-After`',
};

/** The ARD error envelope at each of `statuses`. */
function ardErrors(...statuses: number[]): Record<number, ApiResponse> {
  return Object.fromEntries(statuses.map((status) => [status, { description: ERROR_MEANINGS[status] as string, schema: ardErrorEnvelope }]));
}

const COMMON = [401, 429, 500, 503];
const BODY = [400, 413, 415];

export const ardOperations: ApiOperation[] = [
  {
    method: 'post',
    path: `${ARD_BASE}/search`,
    operationId: 'ardSearch',
    summary: 'ARD search: entries matching the query text and filter, ranked, with a score from the rank',
    description: '`score` falls by one per place in the order (100 first, never below 1): a relevance hint, not a trust signal.',
    tag: TAG,
    access: 'read',
    requestBody: { description: 'The query, page size and page token', schema: ardSearchRequest },
    responses: { 200: { description: 'A page of results', schema: ardSearchResponse }, ...ardErrors(...BODY, ...COMMON) },
  },
  {
    method: 'post',
    path: `${ARD_BASE}/explore`,
    operationId: 'ardExplore',
    summary: 'ARD explore: counts of the query\'s matches by type, tag, provider and binding',
    tag: TAG,
    access: 'read',
    requestBody: { description: 'The query and the facets to count', schema: ardExploreRequest },
    responses: {
      200: {
        description: 'The facets',
        schema: ardExploreResponse,
        headers: { [FACET_COUNTS_HEADER]: '`exact`, or `estimated` when some count is the index\'s estimate' },
      },
      ...ardErrors(...BODY, ...COMMON),
    },
  },
  {
    method: 'get',
    path: `${ARD_BASE}/agents`,
    operationId: 'ardListAgents',
    summary: 'ARD listing: every active agent as an entry, in id order',
    tag: TAG,
    access: 'read',
    parameters: [
      { name: 'pageSize', in: 'query', description: 'Entries a page holds (1 to 100, default 20)', schema: ardListRequest.shape.pageSize },
      { name: 'pageToken', in: 'query', description: 'The pageToken of the previous page', schema: ardListRequest.shape.pageToken },
    ],
    responses: { 200: { description: 'A page of entries', schema: ardListResponse }, ...ardErrors(400, ...COMMON) },
  },
  {
    method: 'get',
    path: `${ARD_BASE}/agents/{identifier}`,
    operationId: 'ardGetAgent',
    summary: 'ARD lookup: the full entry of a urn:air identifier, percent-encoded as one path segment',
    tag: TAG,
    access: 'read',
    parameters: [
      { name: 'identifier', in: 'path', description: 'A urn:air identifier', schema: ardAgentRequest.shape.identifier },
      { name: 'If-None-Match', in: 'header', description: 'The ETag of a copy the client holds', schema: z.string() },
    ],
    responses: {
      200: { description: 'The entry', schema: catalogEntrySchema, headers: { ETag: 'A strong entity tag of the entry' } },
      304: { description: 'The entry named by If-None-Match is still the current one' },
      ...ardErrors(400, 404, ...COMMON),
    },
  },
];
