import type { Request, RequestHandler } from 'express';
import type { Metrics } from '../metrics/metrics.js';

/** The route template a request matched (`/agents/:id`), never its raw path, so labels stay bounded. */
export function routeOf(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${req.baseUrl}${path}` : 'unmatched';
}

interface Series {
  count(): void;
  time(seconds: number): void;
}

/** Counts and times every request by method, route template and status code. */
export function httpMetrics(metrics: Metrics): RequestHandler {
  // The label sets are few (methods x routes x statuses): resolve each one's series once, not per request.
  const series = new Map<string, Series>();
  const seriesOf = (method: string, route: string, status: number): Series => {
    const key = `${method} ${route} ${status}`;
    let found = series.get(key);
    if (!found) {
      const labels = { method, route, status_code: String(status) };
      const counter = metrics.httpRequests.labels(labels);
      const histogram = metrics.httpDuration.labels(labels);
      found = { count: () => counter.inc(), time: (seconds) => histogram.observe(seconds) };
      series.set(key, found);
    }
    return found;
  };
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const target = seriesOf(req.method, routeOf(req), res.statusCode);
      target.count();
      target.time(Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
