import type { Request, Response } from 'express';
import { z } from 'zod';
import { listingRouter, type EndpointList, type Routes } from '../http/app.js';
import { sendTaggedJson } from '../http/content-tag.js';
import { sendJson } from '../http/send-json.js';
import { parseRequest } from '../validation.js';
import { AI_CATALOG_TYPE, CATALOG_PAGES_PATH, type CatalogService } from './catalog-service.js';
import type { CatalogDocument } from './catalog-responses.js';
import type { CatalogSigner } from './catalog-signer.js';

/** Deepest page level an address may name: deeper than any tree the agent numbers can build. */
const MAX_CATALOG_LEVEL = 8;

const wholeNumber = (max: number) => z.string().regex(/^\d{1,15}$/, 'must be a whole number').transform(Number).pipe(z.number().max(max, `must be at most ${max}`));

/** The address of a page below the root. */
export const catalogPageRequest = z.strictObject({ level: wholeNumber(MAX_CATALOG_LEVEL), index: wholeNumber(Number.MAX_SAFE_INTEGER) });

export interface CatalogRoutesDependencies {
  catalogs: CatalogService;
  /** Publishes its key at `/.well-known/jwks.json`; absent: an empty key set. */
  signer: CatalogSigner | undefined;
  /** Reads need credentials: documents may then be cached by the client only. */
  readsRequireAuth: boolean;
  /** `max-age` of the documents, in seconds. */
  maxAgeSeconds: number;
}

/** The AI Catalog and ARD manifest documents, their pages, and the key that verifies them. */
export function catalogRoutes(deps: CatalogRoutesDependencies): Routes & { endpoints: EndpointList } {
  const endpoints: EndpointList = {};
  const cacheControl = `${deps.readsRequireAuth ? 'private' : 'public'}, max-age=${deps.maxAgeSeconds}`;
  // The tag is of the unsigned document: an ECDSA signature differs at each signing, so the same
  // content signed by two replicas has two bodies, which a weak tag of the content lets a client
  // revalidate against either; and a client that has the document costs no signing.
  const { signer } = deps;
  const send = (req: Request, res: Response, document: CatalogDocument, contentType: string) =>
    sendTaggedJson(req, res, Buffer.from(JSON.stringify(document)), {
      contentType,
      cacheControl,
      ...(signer ? { bodyOf: async () => Buffer.from(JSON.stringify(await signer.sign(document))) } : {}),
    });

  const routes: Routes = (router) => {
    const mount = listingRouter(router, endpoints);
    mount.get('ai_catalog', '/.well-known/ai-catalog.json', async (req, res) => send(req, res, await deps.catalogs.root(), AI_CATALOG_TYPE));
    mount.get('ard_manifest', '/.well-known/ard.json', async (req, res) => send(req, res, await deps.catalogs.root(), 'application/json'));
    mount.get('ai_catalog_page', `${CATALOG_PAGES_PATH}/:level/:index`, async (req, res) => {
      const node = parseRequest(catalogPageRequest, { level: req.params.level, index: req.params.index });
      await send(req, res, await deps.catalogs.page(node), AI_CATALOG_TYPE);
    });
    mount.get('jwks', '/.well-known/jwks.json', (_req, res) => {
      res.setHeader('Cache-Control', cacheControl);
      sendJson(res, 200, deps.signer?.jwks() ?? { keys: [] });
    });
  };
  return Object.assign(routes, { endpoints });
}
