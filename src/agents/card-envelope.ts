import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { rawJsonAt } from '../http/raw-json.js';
import { jsonPath } from '../validation.js';
import { named } from '../http/named-schemas.js';
import { agentCardSchema } from './agent-responses.js';

/** Longest liveness TTL an agent may ask for: one year. */
const MAX_TTL_SECONDS = 31_536_000;

/** A card taken out of a request, with its exact text and where it sat. */
export interface ReceivedCard {
  card: unknown;
  cardJson: string;
  cardPath: string;
  /** Liveness TTL the envelope asks for (`heartbeat_ttl_seconds`); absent: the registry's default. */
  ttlSeconds?: number;
}

const TTL_MESSAGE = `must be a whole number of seconds from 0 (off) to ${MAX_TTL_SECONDS}`;

/** An agent's liveness TTL as every request that sets one (`heartbeat_ttl_seconds`) states it. */
export const heartbeatTtlSchema = z.number({ error: TTL_MESSAGE }).int({ error: TTL_MESSAGE }).min(0, { error: TTL_MESSAGE }).max(MAX_TTL_SECONDS, { error: TTL_MESSAGE });

const TTL_KEYS = ['heartbeat_ttl_seconds', 'heartbeatTtlSeconds'] as const;

function ttlOf(envelope: Record<string, unknown>, at: string): number | undefined {
  const key = TTL_KEYS.find((k) => Object.hasOwn(envelope, k));
  if (key === undefined) return undefined;
  const parsed = heartbeatTtlSchema.safeParse(envelope[key]);
  if (parsed.success) return parsed.data;
  throw new ValidationError('Invalid heartbeat TTL', [{ path: `${at}.${key}`, message: TTL_MESSAGE }]);
}

const ENVELOPE_KEYS = ['agent_card', 'agentCard'] as const;

/**
 * Finds the card in a request body: inside `{"agent_card": ...}` (or `agentCard`) as clients of
 * the earlier registry send it, or the body itself. `rawText` is the JSON text the value came
 * from and `path` where the value sits in it, so the card's own bytes can be kept.
 */
export function receiveCard(value: unknown, rawText: string | undefined, path: readonly (string | number)[] = []): ReceivedCard {
  const envelope = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  const key = envelope && ENVELOPE_KEYS.find((k) => Object.hasOwn(envelope, k));
  const card = key && envelope ? envelope[key] : value;
  const cardPathSteps = key ? [...path, key] : [...path];
  const exact = rawText === undefined ? undefined : rawJsonAt(rawText, cardPathSteps);
  const ttlSeconds = key && envelope ? ttlOf(envelope, jsonPath(path)) : undefined;
  return {
    card,
    cardJson: exact ?? JSON.stringify(card) ?? 'null',
    cardPath: jsonPath(cardPathSteps),
    ...(ttlSeconds !== undefined ? { ttlSeconds } : {}),
  };
}

/**
 * The body of a registration as {@link receiveCard} reads it, for the API document: the card in an
 * envelope (`agent_card`, or `agentCard`, with its TTL), or the card itself.
 */
export const registrationBodySchema = named(
  'Registration',
  z.union([
    z.looseObject({ agent_card: agentCardSchema, heartbeat_ttl_seconds: heartbeatTtlSchema.optional() }),
    z.looseObject({ agentCard: agentCardSchema, heartbeatTtlSeconds: heartbeatTtlSchema.optional() }),
    agentCardSchema,
  ]),
);
