import type { Response } from 'express';
import { toJsonText } from './json-text.js';

/** Sends a value as JSON, embedding stored cards verbatim. */
export function sendJson(res: Response, status: number, value: unknown): void {
  res.status(status).type('application/json').send(toJsonText(value));
}
