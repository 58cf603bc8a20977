import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { Charges } from '../rate-limit/rate-limiter.js';
import { toAppError } from '../http/error-middleware.js';
import { listingRouter, type EndpointList, type Routes } from '../http/app.js';
import { sendTaggedJson } from '../http/content-tag.js';
import { sendJson } from '../http/send-json.js';
import type { Logger } from '../logger.js';
import { NotFoundError, StorageUnavailableError, ValidationError, type AppError } from '../errors.js';
import { parseRequest } from '../validation.js';
import { ARD_BASE } from './ard-base.js';
import { ardAgentRequest, ardExploreRequest, ardListRequest, ardSearchRequest } from './ard-requests.js';
import type { ArdError } from './ard-responses.js';
import type { ArdService } from './ard-service.js';

/** The header that says whether explore's counts are exact or the index's estimates. */
export const FACET_COUNTS_HEADER = 'ARD-Facet-Counts';

/**
 * The ARD API's charges: every request one of the read budget (its POSTs search and count, they
 * change nothing); undefined for requests outside its base.
 */
export function ardCharges(req: Request): Charges | undefined {
  return req.path.startsWith(`${ARD_BASE}/`) ? { read: 1 } : undefined;
}

/** The ARD error code (its Appendix B, and the codes of the same family) of each status. */
function errorCodeOf(status: number): string {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'PERMISSION_DENIED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'RATE_LIMIT_EXCEEDED';
  if (status === 503) return 'UNAVAILABLE';
  return status < 500 ? 'INVALID_ARGUMENT' : 'INTERNAL_ERROR';
}

/** An error's message, with each violated field when it has some: the envelope has no other place for them. */
function messageOf(error: AppError): string {
  if (!(error instanceof ValidationError) || error.violations.length === 0) return error.message;
  return `${error.message}: ${error.violations.map((v) => `${v.path} ${v.message}`).join('; ')}`;
}

/** Renders every error under the ARD base in the ARD envelope, `{errorCode, message}`, with its status and headers. */
function ardErrors(logger: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error);
    const appError = toAppError(error);
    // Logged as the shared error middleware logs: faults of the registry loudly, a Redis outage once (where it begins).
    if (!appError) logger.error({ err: error, reqId: req.id, method: req.method, url: req.originalUrl }, 'unhandled error');
    else if (appError.status >= 500 && !(appError instanceof StorageUnavailableError)) logger.warn({ err: appError, reqId: req.id, url: req.originalUrl }, appError.message);
    const status = appError?.status ?? 500;
    const body: ArdError = { errorCode: errorCodeOf(status), message: appError ? messageOf(appError) : 'Internal server error' };
    // A lookup that missed may hit soon after: no cache keeps the miss (ARD §5.3.4).
    res.status(status).set(appError?.headers ?? {}).set('Cache-Control', 'no-store');
    sendJson(res, status, body);
  };
}

export interface ArdRoutesDependencies {
  ard: ArdService;
  /** Middleware that parses and checks a JSON body. */
  jsonBody: RequestHandler;
  /** Reads need credentials: a lookup may then be cached by the client only, not by shared caches. */
  readsRequireAuth: boolean;
  /** Where the registry's own faults under the base are logged. */
  logger: Logger;
}

/** The ARD registry API under {@link ARD_BASE}: search, lookup, listing and facets, with the ARD error envelope. */
export function ardRoutes(deps: ArdRoutesDependencies): Routes & { endpoints: EndpointList } {
  const endpoints: EndpointList = {};
  const { ard, jsonBody } = deps;
  const cacheControl = `${deps.readsRequireAuth ? 'private' : 'public'}, no-cache`;
  const routes: Routes = (router) => {
    const mount = listingRouter(router, endpoints);
    mount.post('ard_search', `${ARD_BASE}/search`, jsonBody, async (req, res) => {
      sendJson(res, 200, await ard.searchAgents(parseRequest(ardSearchRequest, req.body)));
    });
    mount.post('ard_explore', `${ARD_BASE}/explore`, jsonBody, async (req, res) => {
      const { answer, exact } = await ard.explore(parseRequest(ardExploreRequest, req.body));
      res.setHeader(FACET_COUNTS_HEADER, exact ? 'exact' : 'estimated');
      sendJson(res, 200, answer);
    });
    mount.get('ard_list', `${ARD_BASE}/agents`, async (req, res) => {
      sendJson(res, 200, await ard.list(parseRequest(ardListRequest, req.query)));
    });
    mount.get('ard_agent', `${ARD_BASE}/agents/:identifier`, async (req, res) => {
      const { identifier } = parseRequest(ardAgentRequest, { identifier: req.params.identifier });
      await sendTaggedJson(req, res, Buffer.from(JSON.stringify(await ard.agent(identifier))), { contentType: 'application/json; charset=utf-8', cacheControl });
    });
    router.use(ARD_BASE, (req, _res, next) => next(new NotFoundError(`No ARD operation ${req.method} ${req.originalUrl}`, 'route_not_found')));
    router.use(ARD_BASE, ardErrors(deps.logger));
  };
  return Object.assign(routes, { endpoints });
}
