import type { Request, RequestHandler } from 'express';
import { TooManyRequestsError } from '../errors.js';
import type { Budget, Charges, RateLimitDecision, RateLimiter, RateLimits } from './rate-limiter.js';

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

/** Writes first: when a request spends both budgets, the headers speak of the scarcer one. */
const BUDGETS: readonly Budget[] = ['write', 'read'];

/**
 * Counts each request against the budgets `chargesOf` names, as many requests of each as it says
 * (none: not counted). Over any budget is a 429 with `Retry-After`; every counted answer carries
 * the RateLimit headers.
 */
export function rateLimit(limiter: RateLimiter, limits: RateLimits, chargesOf: (req: Request) => Charges): RequestHandler {
  return async (req, res, next) => {
    const charges = chargesOf(req);
    const caller = callerOf(req);
    let shown: Record<string, string> | undefined;
    for (const budget of BUDGETS) {
      const count = charges[budget] ?? 0;
      if (count === 0 || limits[budget] === 0) continue;
      const decision = await limiter.consume(caller, budget, count);
      const headers = headersOf(decision, limits.windowSeconds);
      if (!decision.allowed) {
        throw new TooManyRequestsError(`Too many ${budget} requests; retry in ${decision.resetSeconds} s`, decision.resetSeconds, headers);
      }
      shown ??= headers;
    }
    if (shown) res.set(shown);
    next();
  };
}
