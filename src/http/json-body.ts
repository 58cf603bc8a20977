import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { isUtf8 } from 'node:buffer';
import { finished, type Readable, type Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { BadRequestError, InvalidJsonError, PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError, type AppError } from '../errors.js';
import { jsonDepth, skipWhitespace } from './raw-json.js';

const JSON_TYPES = ['application/json', 'application/*+json'];

/** Decoders of the Content-Encodings a body may arrive in; `identity` needs none. */
const DECODERS = new Map<string, () => Transform>([
  ['gzip', createGunzip],
  ['x-gzip', createGunzip],
  ['deflate', createInflate],
  ['br', createBrotliDecompress],
]);

declare module 'express-serve-static-core' {
  interface Request {
    /** The request body's JSON text as received, kept so cards can be stored byte for byte. */
    rawBody?: string;
  }
}

export interface JsonBodyOptions {
  /** Largest body accepted, in bytes (after decompression). */
  limitBytes: number;
  /** Deepest nesting of arrays and objects accepted. */
  maxDepth: number;
}

/** Why the request's Content-Type is refused, if it is. */
function contentTypeRefusal(req: Request): AppError | undefined {
  const type = req.get('content-type') ?? 'none';
  const matched = req.is(JSON_TYPES);
  // type-is answers null for a request without a body (neither Content-Length nor Transfer-Encoding).
  if (matched === null) return new UnsupportedMediaTypeError('Expected a JSON body (Content-Type: application/json); the request has none');
  if (!matched) return new UnsupportedMediaTypeError(`Expected Content-Type: application/json, got '${type}'`);
  // JSON is UTF-8 (RFC 8259); other charsets are refused so the kept text is the parsed text.
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type)?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    return new UnsupportedMediaTypeError(`Unsupported charset '${charset}': JSON must be UTF-8`);
  }
  return undefined;
}

/**
 * Reads the whole body, decompressed, into one buffer, or fails with the error to answer; `done`
 * is called once. A refused body is still drained first, so the connection can serve the next request.
 */
function readBody(req: Request, limitBytes: number, done: (error: AppError | undefined, body?: Buffer) => void): void {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  const decoder = encoding === 'identity' ? undefined : DECODERS.get(encoding);
  if (encoding !== 'identity' && decoder === undefined) return done(new UnsupportedMediaTypeError(`Unsupported Content-Encoding '${encoding}'`));
  const source: Readable = decoder ? req.pipe(decoder()) : req;
  const chunks: Buffer[] = [];
  let received = 0;
  let settled = false;
  const settle = (error: AppError | undefined, body?: Buffer) => {
    if (settled) return;
    settled = true;
    source.off('data', onData).off('end', onEnd);
    done(error, body);
  };
  const refuse = (error: AppError) => {
    source.off('data', onData).off('end', onEnd);
    if (source !== req) {
      req.unpipe();
      source.destroy();
    }
    req.resume();
    finished(req, () => settle(error));
  };
  const tooLarge = () => new PayloadTooLargeError('The request body is larger than the configured limit');
  function onData(chunk: Buffer) {
    received += chunk.length;
    if (received > limitBytes) return refuse(tooLarge());
    chunks.push(chunk);
  }
  function onEnd() {
    settle(undefined, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, received));
  }
  req.once('aborted', () => settle(new BadRequestError('The request was aborted before its body arrived')));
  if (decoder) source.once('error', (error: Error) => refuse(new BadRequestError(`The request body is not valid ${encoding}: ${error.message}`)));
  // A compressed body's Content-Length says nothing of its size once decompressed.
  if (!decoder && Number(req.headers['content-length']) > limitBytes) return refuse(tooLarge());
  source.on('data', onData).once('end', onEnd);
}

/** The parsed JSON value of a body's text, as strict as the earlier registry: an object or an array. */
function parseJson(text: string): unknown {
  // An empty body is read as {}, as the earlier registry's clients rely on, and then validated.
  if (text.length === 0) return {};
  const first = text[skipWhitespace(text, 0)];
  if (first !== '{' && first !== '[') throw new InvalidJsonError('The request body is not valid JSON: expected an object or an array');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidJsonError(`The request body is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Parses a JSON body, keeping its text in `req.rawBody`. Bodies of another content type or
 * encoding get a 415; bodies that are too large, malformed or nested too deeply reach the error
 * middleware. One middleware rather than Express's body parser: that parser and its checks took
 * about a tenth of a registration's CPU, and it decoded each body twice to keep the text.
 */
export function jsonBody(options: JsonBodyOptions): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const refusal = contentTypeRefusal(req);
    if (refusal) return next(refusal);
    readBody(req, options.limitBytes, (error, body) => {
      if (error || body === undefined) return next(error);
      // Decoding would replace bad bytes silently, and the card kept would not be the one sent.
      if (!isUtf8(body)) {
        return next(new ValidationError('The request body is not valid UTF-8', [{ path: '$', message: 'must be valid UTF-8' }], 'invalid_utf8'));
      }
      // The kept text starts where the value does, after any byte order mark.
      const text = body.toString('utf8').replace(/^\uFEFF/, '');
      try {
        req.body = parseJson(text);
      } catch (parseError) {
        return next(parseError);
      }
      req.rawBody = text;
      const depth = jsonDepth(text);
      if (depth <= options.maxDepth) return next();
      next(
        new ValidationError(
          `JSON nesting depth ${depth} exceeds the limit of ${options.maxDepth}`,
          [{ path: '$', message: `must not nest deeper than ${options.maxDepth}` }],
          'json_too_deep',
        ),
      );
    });
  };
}
