import { z } from 'zod';
import { API_ERRORS, errorResponses, type ApiOperation } from '../http/api-description.js';
import { catalogPageRequest } from './catalog-routes.js';
import { catalogDocumentSchema, jwksSchema } from './catalog-responses.js';
import { AI_CATALOG_TYPE, CATALOG_PAGES_PATH } from './catalog-service.js';

// The AI Catalog routes (catalog-routes.ts), for the API document.

const TAG = 'discovery';

const CONDITIONAL = { ETag: 'An entity tag of the document, for If-None-Match: weak, of the unsigned content, when documents are signed', 'Cache-Control': 'How long the document may be kept' };

const document = (description: string, contentType: string) => ({
  200: { description, schema: catalogDocumentSchema, contentType, headers: CONDITIONAL },
  304: { description: 'The document named by If-None-Match is still the current one' },
});

const ifNoneMatch = { name: 'If-None-Match', in: 'header' as const, description: 'The ETag of a copy the client holds', schema: z.string() };

export const catalogOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/.well-known/ai-catalog.json',
    operationId: 'getAiCatalog',
    summary: 'The root AI Catalog: the ARD API, and the agents or the pages that hold them',
    tag: TAG,
    access: 'read',
    parameters: [ifNoneMatch],
    responses: { ...document('The root catalog', AI_CATALOG_TYPE), ...errorResponses(...API_ERRORS) },
  },
  {
    method: 'get',
    path: '/.well-known/ard.json',
    operationId: 'getArdManifest',
    summary: 'The ARD manifest: the same document as the root AI Catalog',
    tag: TAG,
    access: 'read',
    parameters: [ifNoneMatch],
    responses: { ...document('The root catalog, as the ARD manifest', 'application/json'), ...errorResponses(...API_ERRORS) },
  },
  {
    method: 'get',
    path: `${CATALOG_PAGES_PATH}/{level}/{index}`,
    operationId: 'getAiCatalogPage',
    summary: 'A nested page of the catalog: agents (level 0) or links to the pages below',
    tag: TAG,
    access: 'read',
    parameters: [
      { name: 'level', in: 'path', description: 'The level of the page: 0 holds agents', schema: catalogPageRequest.shape.level },
      { name: 'index', in: 'path', description: 'The page\'s place within its level', schema: catalogPageRequest.shape.index },
      ifNoneMatch,
    ],
    responses: { ...document('The page', AI_CATALOG_TYPE), ...errorResponses(400, 404, ...API_ERRORS) },
  },
  {
    method: 'get',
    path: '/.well-known/jwks.json',
    operationId: 'getCatalogJwks',
    summary: 'The public key that verifies the catalogs\' signatures (an empty set when they are not signed)',
    tag: TAG,
    access: 'read',
    responses: { 200: { description: 'The key set', schema: jwksSchema }, ...errorResponses(...API_ERRORS) },
  },
];
