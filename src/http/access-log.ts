import type { RequestHandler } from 'express';
import type { Logger } from '../logger.js';
import { routeOf } from './http-metrics.js';

/** Probes and scrapes come every few seconds from machines: their lines are debug, not info. */
const PROBES = new Set(['/health', '/ready', '/metrics']);

/**
 * One log line per request once its response is done (or the client left): method, route template,
 * status, duration, request id and the principal it acted for.
 */
export function accessLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const route = routeOf(req);
      const level = PROBES.has(route) ? 'debug' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      // Set by the access routes when credentials were read; typed there, read here without depending on them.
      const principal = (req as { principal?: { id: string } }).principal?.id;
      logger[level](
        {
          method: req.method,
          route,
          status: res.statusCode,
          durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
          reqId: req.id,
          ...(principal !== undefined ? { principal } : {}),
          ...(res.writableFinished ? {} : { aborted: true }),
        },
        'request',
      );
    });
    next();
  };
}
