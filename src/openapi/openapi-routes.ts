import { createHash } from 'node:crypto';
import { z } from 'zod';
import { errorResponses, type ApiOperation } from '../http/api-description.js';
import type { Routes } from '../http/app.js';
import { sendJsonText } from '../http/send-json.js';

/** How long clients and caches may keep the document: it changes only with a new version or configuration. */
const MAX_AGE_SECONDS = 300;

/** `GET /openapi.json` itself, as the document describes it. */
export const openApiOperation: ApiOperation = {
  method: 'get',
  path: '/openapi.json',
  operationId: 'openApiDocument',
  summary: 'This document: the OpenAPI 3.1 description of every route this process serves',
  tag: 'service',
  access: 'open',
  parameters: [{ name: 'If-None-Match', in: 'header', description: 'The entity tag the client holds: 304 while it is current', schema: z.string() }],
  responses: {
    200: { description: 'The document', schema: z.looseObject({ openapi: z.string() }), headers: { ETag: 'Its entity tag' } },
    304: { description: 'The document the client holds is current' },
    ...errorResponses(500),
  },
};

/** Whether `If-None-Match` names `etag` (weakly: `W/` aside), or is `*`. */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => ['*', etag].includes(tag.trim().replace(/^W\//, '')));
}

/** `GET /openapi.json`: the document, serialised once at start-up, with an entity tag for revalidation. */
export function openApiRoutes(document: object): Routes {
  const text = JSON.stringify(document);
  const etag = `"${createHash('sha256').update(text).digest('base64url').slice(0, 22)}"`;
  return (router) => {
    router.get('/openapi.json', (req, res) => {
      res.set({ ETag: etag, 'Cache-Control': `public, max-age=${MAX_AGE_SECONDS}` });
      if (matches(req.get('if-none-match'), etag)) return void res.status(304).end();
      sendJsonText(res, 200, text);
    });
  };
}
