import type { Request } from 'express';
import { actorOf } from '../auth/auth-middleware.js';
import { listingRouter, type EndpointList, type Routes } from '../http/app.js';
import { sendJson } from '../http/send-json.js';
import { parseRequest } from '../validation.js';
import { catalogListRequest, catalogRequest, catalogStopRequest, DEFAULT_CATALOG_PAGE } from './catalog-source-requests.js';
import { presentCatalog, presentCatalogPage, presentStopped } from './catalog-source-presenter.js';
import type { CatalogSourceService } from './catalog-source-service.js';

/** The REST door of ingested catalogs: HTTP to the catalog source service and back. */
export function catalogSourceRoutes(catalogs: CatalogSourceService): Routes & { endpoints: EndpointList } {
  const endpoints: EndpointList = {};
  const routes: Routes = (router) => {
    const mount = listingRouter(router, endpoints);
    mount.get('catalogs', '/catalogs', async (req, res) => {
      const query = parseRequest(catalogListRequest, { ...req.query });
      const page = await catalogs.list(actorOf(req.principal), { limit: query.limit ?? DEFAULT_CATALOG_PAGE, ...(query.cursor ? { after: query.cursor } : {}) });
      res.set('Cache-Control', 'no-store');
      sendJson(res, 200, presentCatalogPage(page, 'snake'));
    });
    mount.get('catalog', '/catalogs/:key', async (req, res) => {
      res.set('Cache-Control', 'no-store');
      sendJson(res, 200, presentCatalog(await catalogs.get(keyOf(req), actorOf(req.principal)), 'snake'));
    });
    mount.delete('catalog_stop', '/catalogs/:key', async (req, res) => {
      const { key, delete_agents } = parseRequest(catalogStopRequest, { ...req.query, key: req.params.key });
      const outcome = await catalogs.stop(key, actorOf(req.principal), delete_agents ?? false);
      // 202 while agents remain to delete: the same request goes on where this one stopped.
      sendJson(res, outcome.forgotten ? 200 : 202, presentStopped(outcome, 'snake'));
    });
  };
  return Object.assign(routes, { endpoints });
}

const keyOf = (req: Request) => parseRequest(catalogRequest, { key: req.params.key }).key;
