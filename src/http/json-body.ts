import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { UnsupportedMediaTypeError, ValidationError } from '../errors.js';
import { jsonDepth } from './raw-json.js';

const JSON_TYPES = ['application/json', 'application/*+json'];

declare module 'express-serve-static-core' {
  interface Request {
    /** The request body's JSON text as received, kept so cards can be stored byte for byte. */
    rawBody?: string;
  }
}

export interface JsonBodyOptions {
  /** Largest body accepted, in bytes. */
  limitBytes: number;
  /** Deepest nesting of arrays and objects accepted. */
  maxDepth: number;
}

/**
 * Parses a JSON body, keeping its text in `req.rawBody`. Bodies of another content type get a
 * 415; bodies that are too large, malformed or nested too deeply reach the error middleware.
 */
export function jsonBody(options: JsonBodyOptions): RequestHandler[] {
  const requireJson = (req: Request, _res: Response, next: NextFunction) => {
    const type = req.get('content-type') ?? 'none';
    if (!req.is(JSON_TYPES)) {
      return next(new UnsupportedMediaTypeError(`Expected Content-Type: application/json, got '${type}'`));
    }
    // JSON is UTF-8 (RFC 8259); other charsets are refused so the kept text is the parsed text.
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type)?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      return next(new UnsupportedMediaTypeError(`Unsupported charset '${charset}': JSON must be UTF-8`));
    }
    next();
  };
  const parse = express.json({
    limit: options.limitBytes,
    type: JSON_TYPES,
    verify: (req, _res, buffer) => {
      // JSON.parse ignores a leading byte order mark; the kept text must start where the value does.
      (req as Request).rawBody = buffer.toString('utf8').replace(/^\uFEFF/, '');
    },
  });
  const limitDepth = (req: Request, _res: Response, next: NextFunction) => {
    const depth = jsonDepth(req.rawBody ?? '');
    if (depth <= options.maxDepth) return next();
    next(
      new ValidationError(
        `JSON nesting depth ${depth} exceeds the limit of ${options.maxDepth}`,
        [{ path: '$', message: `must not nest deeper than ${options.maxDepth}` }],
        'json_too_deep',
      ),
    );
  };
  return [requireJson, parse, limitDepth];
}
