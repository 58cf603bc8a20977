import type { ErrorRequestHandler } from 'express';
import type { Logger } from '../logger.js';
import { z } from 'zod';
import { AppError, BadRequestError, StorageUnavailableError, ValidationError } from '../errors.js';
import { named } from './named-schemas.js';

interface HttpLibraryError {
  message?: string;
  status?: unknown;
  expose?: unknown;
}

/** A client error the router raises (such as a malformed percent-encoding), by its status, as the registry's own. */
function fromHttpLibrary(error: HttpLibraryError): AppError | undefined {
  if (typeof error.status === 'number' && error.status >= 400 && error.status < 500 && error.expose !== false) {
    return new BadRequestError(error.message ?? 'Bad request', error.status);
  }
  return undefined;
}

/** Any thrown value as an AppError, or undefined when it is a fault of the registry itself. */
export function toAppError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  if (typeof error === 'object' && error !== null) return fromHttpLibrary(error as HttpLibraryError);
  return undefined;
}

/** The JSON shape of every error response. `detail` repeats the message for clients of the earlier registry. */
export const errorEnvelope = named(
  'Error',
  z.object({
    error: z.object({
      /** Stable and machine-readable, such as `agent_not_found`. */
      code: z.string(),
      message: z.string(),
      /** Each field that broke a rule (400), at a JSON path such as `$.skills[0].id`. */
      violations: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
      /** Facts beyond the code, such as the domain that refused a write. */
      details: z.record(z.string(), z.string()).optional(),
    }),
    detail: z.string(),
  }),
);

export function errorBody(error: AppError): z.infer<typeof errorEnvelope> {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error instanceof ValidationError && error.violations.length > 0 ? { violations: error.violations } : {}),
      ...(Object.keys(error.details).length > 0 ? { details: error.details } : {}),
    },
    detail: error.message,
  };
}

/** Renders every error as JSON with its status; only the registry's own faults are 500s, and logged. */
export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error);
    const appError = toAppError(error);
    if (!appError) {
      logger.error({ err: error, reqId: req.id, method: req.method, url: req.originalUrl }, 'unhandled error');
      const body: z.infer<typeof errorEnvelope> = { error: { code: 'internal_error', message: 'Internal server error' }, detail: 'Internal server error' };
      res.status(500).json(body);
      return;
    }
    // A Redis outage is logged once, when it begins; a line for each request it fails says nothing more.
    if (appError instanceof StorageUnavailableError) logger.debug({ reqId: req.id, url: req.originalUrl, cause: String(appError.cause) }, appError.message);
    else if (appError.status >= 500) logger.warn({ err: appError, reqId: req.id, url: req.originalUrl }, appError.message);
    res.status(appError.status).set(appError.headers).json(errorBody(appError));
  };
}
