import { API_ERRORS, errorResponses, type ApiOperation, type ApiParameter } from '../http/api-description.js';
import { catalogListRequest, catalogRequest, catalogStopRequest } from './catalog-source-requests.js';
import { catalogSourcePageResponse, catalogSourceResponse, catalogStoppedResponse } from './catalog-source-responses.js';

// The ingested catalogs' REST door (catalog-source-routes.ts), for the API document.

const TAG = 'catalogs';

const key: ApiParameter = { name: 'key', in: 'path', description: 'The catalog\'s key, as `GET /catalogs` lists it', schema: catalogRequest.shape.key };

export const catalogSourceOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/catalogs',
    operationId: 'listCatalogs',
    summary: 'List the AI Catalogs the caller ingested (every owner\'s for an admin), a page at a time',
    tag: TAG,
    access: 'write',
    parameters: [
      { name: 'limit', in: 'query', description: 'Catalogs in the page (1 to 100; 20 when absent)', schema: catalogListRequest.shape.limit },
      { name: 'cursor', in: 'query', description: 'The `next_cursor` of the page before', schema: catalogListRequest.shape.cursor },
    ],
    responses: { 200: { description: 'A page of catalogs, in key order', schema: catalogSourcePageResponse }, ...errorResponses(400, ...API_ERRORS) },
  },
  {
    method: 'get',
    path: '/catalogs/{key}',
    operationId: 'getCatalog',
    summary: 'Read an ingested catalog: its URL, owner, last and next read, signature status and entries held',
    tag: TAG,
    access: 'write',
    parameters: [key],
    responses: { 200: { description: 'The catalog', schema: catalogSourceResponse }, ...errorResponses(400, 403, 404, ...API_ERRORS) },
  },
  {
    method: 'delete',
    path: '/catalogs/{key}',
    operationId: 'stopCatalog',
    summary: 'Stop syncing an ingested catalog; its agents stay as they are, or are deleted with delete_agents=true',
    description:
      'Without `delete_agents` the catalog is forgotten at once and its agents stay as they are. With `delete_agents=true` the worker stops reading it at once, and each request deletes up to 100 of its agents: 202 while some remain (repeat the request), 200 once the catalog is forgotten.',
    tag: TAG,
    access: 'write',
    parameters: [key, { name: 'delete_agents', in: 'query', description: 'Delete the agents the catalog registered too', schema: catalogStopRequest.shape.delete_agents }],
    responses: {
      200: { description: 'The catalog is forgotten', schema: catalogStoppedResponse },
      202: { description: 'Some of its agents were deleted; the rest are deleted by repeating the request', schema: catalogStoppedResponse },
      ...errorResponses(400, 403, 404, ...API_ERRORS),
    },
  },
];
