import type { Request, RequestHandler } from 'express';
import type { Routes } from '../http/app.js';
import type { Config } from '../config/config.js';
import { WRITE_METHODS } from '../jsonrpc/registry-methods.js';
import type { Budget } from '../rate-limit/rate-limiter.js';
import { authenticate, requireAuth } from './auth-middleware.js';
import { apiKeyAuthenticator, jwtAuthenticator, openAuthenticator, type Authenticator } from './authenticators.js';

/** The authenticator AUTH_MODE asks for. */
export function authenticatorOf(auth: Config['auth']): Authenticator {
  switch (auth.mode) {
    case 'apikey':
      return apiKeyAuthenticator(auth.keys);
    case 'jwt':
      return jwtAuthenticator(auth);
    case 'none':
      return openAuthenticator;
  }
}

/** REST reads (GET, and POST /agents/search) spend the read budget, other methods the write budget. */
export function restBudget(req: Request): Budget | undefined {
  if (req.path === '/jsonrpc') return undefined;
  return req.method === 'GET' || req.method === 'HEAD' || req.path === '/agents/search' ? 'read' : 'write';
}

/** A JSON-RPC request spends the write budget when any of its calls changes agents. */
export function jsonRpcBudget(req: Request): Budget {
  const calls: unknown[] = Array.isArray(req.body) ? req.body : [req.body];
  const writes = calls.some((call) => WRITE_METHODS.has(String((call as { method?: unknown } | null)?.method)));
  return writes ? 'write' : 'read';
}

/** Authentication for every API route, then credentials for reads when required, then rate limits. */
export function accessRoutes(authenticator: Authenticator, readsRequireAuth: boolean, limit: RequestHandler | undefined): Routes {
  return (router) => {
    router.use(authenticate(authenticator));
    if (readsRequireAuth) router.use(requireAuth);
    if (limit) router.use(limit);
  };
}
