import type { Request, RequestHandler } from 'express';
import { TooManyRequestsError } from '../errors.js';
import type { Budget, RateLimitDecision, RateLimiter, RateLimits } from './rate-limiter.js';

/** Who a request counts against: its principal when authenticated, else its client address. */
export function callerOf(req: Request): string {
  return req.principal ? `principal:${req.principal.id}` : `ip:${req.ip ?? 'unknown'}`;
}

function headersOf(decision: RateLimitDecision, windowSeconds: number): Record<string, string> {
  return {
    'RateLimit-Limit': String(decision.limit),
    'RateLimit-Remaining': String(decision.remaining),
    'RateLimit-Reset': String(decision.resetSeconds),
    'RateLimit-Policy': `${decision.limit};w=${windowSeconds}`,
  };
}

/**
 * Counts each request against the budget `budgetOf` names (none: not counted). Over budget is a
 * 429 with `Retry-After`; every counted answer carries the RateLimit headers.
 */
export function rateLimit(limiter: RateLimiter, limits: RateLimits, budgetOf: (req: Request) => Budget | undefined): RequestHandler {
  return async (req, res, next) => {
    const budget = budgetOf(req);
    if (budget === undefined || limits[budget] === 0) return next();
    const decision = await limiter.consume(callerOf(req), budget);
    const headers = headersOf(decision, limits.windowSeconds);
    if (!decision.allowed) {
      throw new TooManyRequestsError(`Too many ${budget} requests; retry in ${decision.resetSeconds} s`, decision.resetSeconds, headers);
    }
    res.set(headers);
    next();
  };
}
