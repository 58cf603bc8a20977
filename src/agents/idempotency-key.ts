import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import type { Actor } from '../store/agent-record.js';

/** A write a client may retry safely: its key, made distinct per caller, and what it asked. */
export interface IdempotentRequest {
  /** A digest of the caller and the key it chose, so that two callers' keys never meet. */
  key: string;
  /** A digest of the request (its kind, target and body); the same key with another is refused. */
  fingerprint: string;
}

/**
 * An idempotency key: visible ASCII, as HTTP header values and the keys clients generate (UUIDs,
 * ULIDs) are, optionally in quotes, as the IETF draft writes it (a structured-field string).
 */
export const idempotencyKeySchema = z
  .string()
  .regex(/^"[\x21-\x7e]{1,255}"$|^[\x21-\x7e]{1,255}$/)
  .refine((value) => /^[\x21-\x7e]{1,255}$/.test(value.replace(/^"(.*)"$/, '$1')));

/** 128 bits of SHA-256, as 22 characters: plenty to tell apart the requests of one key. */
const digest = (parts: readonly string[]): string => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest().subarray(0, 16).toString('base64url');
};

/**
 * The idempotency key a client sent with a write (the `Idempotency-Key` header, or the
 * `idempotency_key` param of a JSON-RPC call), or undefined when it sent none. A key in quotes, as
 * the IETF draft writes it (a structured-field string), stands for the key inside them.
 *
 * @param request what identifies the write: its kind, target, preconditions and body.
 * @param at where a bad key is reported from, such as `Idempotency-Key` or `$.params.idempotency_key`.
 */
export function idempotentRequest(value: unknown, actor: Actor, request: readonly string[], at: string): IdempotentRequest | undefined {
  if (value === undefined) return undefined;
  const parsed = idempotencyKeySchema.safeParse(value);
  if (!parsed.success) {
    throw new ValidationError('Invalid idempotency key', [{ path: at, message: 'must be 1 to 255 visible ASCII characters' }], 'invalid_idempotency_key');
  }
  return { key: digest([actor.id, parsed.data.replace(/^"(.*)"$/, '$1')]), fingerprint: digest(request) };
}
