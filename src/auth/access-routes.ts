import type { RequestHandler } from 'express';
import type { Routes } from '../http/app.js';
import { authenticate, requireAuth } from './auth-middleware.js';
import { apiKeyAuthenticator, jwtAuthenticator, openAuthenticator, type Authenticator, type AuthSettings } from './authenticators.js';
import type { FailedAuthGuard } from './failed-auth-guard.js';

/** The authenticator AUTH_MODE asks for. */
export function authenticatorOf(auth: AuthSettings): Authenticator {
  switch (auth.mode) {
    case 'apikey':
      return apiKeyAuthenticator(auth.keys);
    case 'jwt':
      return jwtAuthenticator(auth);
    case 'none':
      return openAuthenticator;
  }
}

/** Answers that depend on who asks say so, so that no shared cache hands one caller's answer to another. */
const varyByCredentials: RequestHandler = (_req, res, next) => {
  res.vary('Authorization');
  res.vary('X-API-Key');
  next();
};

/**
 * Authentication for every API route (with `guard`, failed attempts limited per address), then
 * credentials for reads when required, then rate limits.
 */
export function accessRoutes(
  authenticator: Authenticator,
  guard: FailedAuthGuard | undefined,
  readsRequireAuth: boolean,
  limit: RequestHandler | undefined,
): Routes {
  return (router) => {
    router.use(authenticate(authenticator, guard));
    if (readsRequireAuth) router.use(varyByCredentials, requireAuth);
    if (limit) router.use(limit);
  };
}
