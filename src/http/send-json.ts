import type { Response } from 'express';
import { toJsonBytes } from './json-text.js';

/**
 * Sends a value as JSON, embedding stored cards verbatim. Written straight to the response:
 * Express's `send` would only add ETag and freshness checks the registry does not use.
 */
export function sendJson(res: Response, status: number, value: unknown): void {
  sendJsonBytes(res, status, toJsonBytes(value));
}

/** Sends JSON text that is ready as it is, such as a stored card or a prepared document. */
export function sendJsonText(res: Response, status: number, text: string): void {
  // Encoded here: given the text, the length is one pass over it and Node's write another.
  sendJsonBytes(res, status, Buffer.from(text));
}

/** Sends JSON that is already UTF-8 bytes. */
export function sendJsonBytes(res: Response, status: number, body: Buffer): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', body.length);
  res.end(body);
}
