import type { ErrorRequestHandler } from 'express';
import type { Logger } from '../logger.js';
import {
  AppError,
  InvalidJsonError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../errors.js';

/** The errors body-parser raises, by their `type`, as the registry's own. */
function fromBodyParser(error: { type?: unknown; message?: string }): AppError | undefined {
  switch (error.type) {
    case 'entity.parse.failed':
      return new InvalidJsonError(`The request body is not valid JSON: ${error.message ?? ''}`.trim());
    case 'entity.too.large':
      return new PayloadTooLargeError('The request body is larger than the configured limit');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new UnsupportedMediaTypeError(error.message ?? 'Unsupported body encoding');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new ValidationError(error.message ?? 'The request body could not be read', [], 'bad_request');
    default:
      return undefined;
  }
}

/** Any thrown value as an AppError, or undefined when it is a fault of the registry itself. */
export function toAppError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  if (typeof error === 'object' && error !== null) return fromBodyParser(error as { type?: unknown });
  return undefined;
}

/** The JSON shape of every error response. `detail` repeats the message for clients of the earlier registry. */
export function errorBody(error: AppError) {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error instanceof ValidationError && error.violations.length > 0 ? { violations: error.violations } : {}),
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
      logger.error({ err: error, method: req.method, url: req.originalUrl }, 'unhandled error');
      res.status(500).json({ error: { code: 'internal_error', message: 'Internal server error' }, detail: 'Internal server error' });
      return;
    }
    if (appError.status >= 500) logger.warn({ err: appError, url: req.originalUrl }, appError.message);
    res.status(appError.status).set(appError.headers).json(errorBody(appError));
  };
}
