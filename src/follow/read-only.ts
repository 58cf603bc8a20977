import { ReadOnlyMirrorError } from '../errors.js';
import type { Routes } from '../http/app.js';
import type { MethodHandler } from '../jsonrpc/jsonrpc-dispatcher.js';
import type { Request } from 'express';
import { restCharges } from '../agents/agent-routes.js';
import type { Charges } from '../rate-limit/rate-limiter.js';

/**
 * The REST door of a mirror: every request the write budget counts (`restCharges`: register, update,
 * delete, heartbeats, domain claims, extension trust, pings) is refused before it is read, naming
 * the source. Mounted before authentication: no credentials make a mirror writable.
 */
export function readOnlyRoutes(source: string, chargesOf: (req: Request) => Charges = restCharges): Routes {
  return (router) =>
    router.use((req, _res, next) => {
      if (chargesOf(req).write) throw new ReadOnlyMirrorError(source);
      next();
    });
}

/** The JSON-RPC door of a mirror: the write methods answer the same error, call by call (a batch's reads still answer). */
export function readOnlyMethods(methods: ReadonlyMap<string, MethodHandler>, writeMethods: ReadonlySet<string>, source: string): Map<string, MethodHandler> {
  const refuse: MethodHandler = () => Promise.reject(new ReadOnlyMirrorError(source));
  return new Map([...methods].map(([name, handler]) => [name, writeMethods.has(name) ? refuse : handler]));
}
