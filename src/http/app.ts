import compression from 'compression';
import cors from 'cors';
import express, { type Express, type IRouter, type Request, type RequestHandler, type Response } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import { NotFoundError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { errorMiddleware } from './error-middleware.js';
import { httpMetrics } from './http-metrics.js';
import { requestId } from './request-id.js';
import { accessLog } from './access-log.js';

/** Responses smaller than this are sent uncompressed: compressing them costs more than it saves. */
const COMPRESSION_THRESHOLD_BYTES = 1024;

/** An Accept-Encoding that names an encoding compression offers (or any, `*`); compression then negotiates. */
const MAY_COMPRESS = /br|gzip|deflate|\*/i;

/**
 * The headers of helmet that protect a JSON API (OWASP's REST Security Cheat Sheet): no content
 * may load or frame the responses, other sites may not embed them, transport stays on HTTPS,
 * types are not sniffed, no referrer leaks. The rest of helmet's defaults govern HTML documents,
 * which the registry never serves; every response would carry their ~400 bytes for nothing.
 */
const API_HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  xFrameOptions: { action: 'deny' },
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
};

/**
 * helmet's security headers for an API. They do not depend on the request, so helmet runs once at
 * start-up against a recorder and every response gets the recorded headers in one call.
 */
export function securityHeaders(): RequestHandler {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader: (name: string, value: unknown) => headers.set(name, String(value)),
    removeHeader: (name: string) => headers.delete(name),
    getHeader: () => undefined,
  };
  helmet(API_HELMET_OPTIONS)({ headers: {} } as Request, recorder as unknown as Response, () => {});
  return (_req, res, next) => {
    res.setHeaders(headers);
    next();
  };
}

/**
 * A feature's routes and middleware, added onto the application itself. Each nested Router would
 * cost every request that passes through it a dispatch of its own, and one that leaves it
 * unanswered a macrotask hop: together about a tenth of a GET's CPU.
 */
export type Routes = (router: IRouter) => void;

/** The endpoints a feature mounted, by name, as `GET /` lists them: `{"card": "GET /agents/{id}/card"}`. */
export type EndpointList = Record<string, string>;

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Mount = (name: string, path: string, ...handlers: RequestHandler[]) => void;

/**
 * Mounts routes on `router` and writes each into `endpoints` under its name, as
 * `METHOD /path/{param}` (`:param` and `*param` alike): the list `GET /` shows is what was mounted, not a copy of it.
 */
export function listingRouter(router: IRouter, endpoints: EndpointList): Record<Method, Mount> {
  const mount =
    (method: Method): Mount =>
    (name, path, ...handlers) => {
      router[method](path, ...handlers);
      endpoints[name] = `${method.toUpperCase()} ${path.replace(/[:*](\w+)/g, '{$1}')}`;
    };
  return { get: mount('get'), post: mount('post'), put: mount('put'), patch: mount('patch'), delete: mount('delete') };
}

export interface AppOptions {
  /** Express `trust proxy`: whose `X-Forwarded-For` names the client. */
  trustProxy: boolean | number | string;
  /** Origins browsers may call from (`*` for any); empty: no CORS headers. */
  corsOrigins: string[];
  /** Whether each request writes a log line. */
  accessLog: boolean;
}

/** The Express application: shared middleware around the features' routes, and one error renderer. */
export function createApp(routes: Routes[], logger: Logger, metrics: Metrics, options: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.set('trust proxy', options.trustProxy);
  app.use(requestId());
  app.use(httpMetrics(metrics));
  if (options.accessLog) app.use(accessLog(logger));
  app.use(securityHeaders());
  if (options.corsOrigins.length > 0) {
    app.use(
      cors({
        origin: options.corsOrigins.includes('*') ? '*' : options.corsOrigins,
        exposedHeaders: ['ETag', 'Location', 'X-Request-Id', 'Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'],
      }),
    );
  }
  const compress = compression({ threshold: COMPRESSION_THRESHOLD_BYTES });
  // Clients that accept none of its encodings skip the response wrapping compression would do for nothing.
  app.use((req, res, next) => (MAY_COMPRESS.test(req.headers['accept-encoding'] ?? '') ? compress(req, res, next) : next()));
  for (const add of routes) add(app);
  app.use((req, _res, next) => {
    next(new NotFoundError(`No route for ${req.method} ${req.path}`, 'route_not_found'));
  });
  app.use(errorMiddleware(logger));
  return app;
}
