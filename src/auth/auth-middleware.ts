import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { UnauthorizedError } from '../errors.js';
import type { Authenticator } from './authenticators.js';
import type { FailedAuthGuard } from './failed-auth-guard.js';
import type { Actor } from '../store/agent-record.js';
import { ANONYMOUS_ADMIN, isAdmin, type Principal } from './principal.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** Who the request acts for, when its credentials proved it. */
    principal?: Principal;
  }
}

/**
 * Reads the request's credentials into `req.principal`; refuses invalid ones with 401, and, with a
 * `guard`, every request of an address that failed too often with 429.
 */
export function authenticate(authenticator: Authenticator, guard?: FailedAuthGuard): RequestHandler {
  if (authenticator.mode === 'none') {
    // Every request is the anonymous admin: no credentials to read, so no need to wait for any.
    return (req, _res, next) => {
      req.principal = ANONYMOUS_ADMIN;
      next();
    };
  }
  return async (req, _res, next) => {
    const address = req.ip ?? 'unknown';
    guard?.assertAllowed(address);
    const principal = await authenticator
      .authenticate({ authorization: req.get('authorization'), apiKey: req.get('x-api-key') })
      .catch(async (error: unknown) => {
        if (guard && error instanceof UnauthorizedError) await guard.failed(address);
        throw error;
      });
    if (principal) req.principal = principal;
    next();
  };
}

/** The principal as the stores see it when it changes an agent, or a 401 when there is none. */
export function actorOf(principal: Principal | undefined): Actor {
  if (!principal) throw new UnauthorizedError('This request needs credentials');
  return { id: principal.id, admin: isAdmin(principal) };
}

/** Lets only authenticated requests through. */
export const requireAuth: RequestHandler = (req: Request, _res: Response, next: NextFunction) => {
  actorOf(req.principal);
  next();
};
