import type { NamingStyle } from '../agents/agent-presenter.js';
import { actorOf } from '../auth/auth-middleware.js';
import type { MethodHandler } from '../jsonrpc/jsonrpc-dispatcher.js';
import { paramsReader } from '../jsonrpc/params-reader.js';
import { catalogListRequest, catalogRequest, catalogStopRequest, DEFAULT_CATALOG_PAGE } from './catalog-source-requests.js';
import { presentCatalog, presentCatalogPage, presentStopped } from './catalog-source-presenter.js';
import type { CatalogSourceService } from './catalog-source-service.js';

const readList = paramsReader(catalogListRequest);
const readCatalog = paramsReader(catalogRequest);
const readStop = paramsReader(catalogStopRequest);

/** The catalog methods that change something: they need credentials and count against the write budget. */
export const CATALOG_SOURCE_WRITE_METHODS: ReadonlySet<string> = new Set(['stop_catalog', 'StopCatalogSync']);

/** The JSON-RPC door of ingested catalogs, snake_case names and A2A-style PascalCase aliases. */
export function catalogSourceMethods(catalogs: CatalogSourceService): Map<string, MethodHandler> {
  const list = (style: NamingStyle): MethodHandler => async (params, context) => {
    const query = readList(params);
    const page = await catalogs.list(actorOf(context.principal), { limit: query.limit ?? DEFAULT_CATALOG_PAGE, ...(query.cursor ? { after: query.cursor } : {}) });
    return presentCatalogPage(page, style);
  };
  const get = (style: NamingStyle): MethodHandler => async (params, context) =>
    presentCatalog(await catalogs.get(readCatalog(params).key, actorOf(context.principal)), style);
  const stop = (style: NamingStyle): MethodHandler => async (params, context) => {
    const { key, delete_agents } = readStop(params);
    return presentStopped(await catalogs.stop(key, actorOf(context.principal), delete_agents ?? false), style);
  };
  return new Map<string, MethodHandler>([
    ['list_catalogs', list('snake')],
    ['get_catalog', get('snake')],
    ['stop_catalog', stop('snake')],
    ['ListCatalogs', list('camel')],
    ['GetCatalog', get('camel')],
    ['StopCatalogSync', stop('camel')],
  ]);
}
