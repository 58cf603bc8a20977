import type { z } from 'zod';
import { ValidationError, type FieldViolation } from '../../errors.js';
import { cardV03Schema, cardV1Schema, detectCardFormat, legacyCardSchema } from './card-schemas.js';
import { normaliseLegacy, normaliseV03, normaliseV1 } from './card-normaliser.js';
import type { NormalisedCard } from './normalised-card.js';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Renders a zod issue path as a JSON path: `$.skills[0].id`. */
export function jsonPath(path: readonly PropertyKey[], root = '$'): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === 'number') return `${acc}[${key}]`;
    const name = String(key);
    return IDENTIFIER.test(name) ? `${acc}.${name}` : `${acc}[${JSON.stringify(name)}]`;
  }, root);
}

/** Parse options that say `is required` for a missing field instead of zod's type message. */
export const PARSE_OPTIONS = {
  error: (issue: { input?: unknown; code?: string }) =>
    issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined,
};

/** Every violation of a failed parse, not just the first. */
export function violationsOf(error: z.ZodError, root = '$'): FieldViolation[] {
  return error.issues.map((issue) => ({ path: jsonPath(issue.path, root), message: issue.message }));
}

/**
 * Validates a card against the required fields and types of its detected format and returns
 * its normalised fields; throws a ValidationError listing every violation otherwise.
 */
export function validateCard(card: unknown, root = '$'): NormalisedCard {
  if (typeof card !== 'object' || card === null || Array.isArray(card)) {
    throw new ValidationError('The agent card must be a JSON object', [{ path: root, message: 'must be an object' }]);
  }
  const record = card as Record<string, unknown>;
  const format = detectCardFormat(record);
  const fail = (error: z.ZodError): never => {
    throw new ValidationError(`The agent card is not a valid ${format} card`, violationsOf(error, root), 'invalid_agent_card');
  };
  switch (format) {
    case 'a2a-1.0': {
      const parsed = cardV1Schema.safeParse(record, PARSE_OPTIONS);
      return parsed.success ? normaliseV1(parsed.data) : fail(parsed.error);
    }
    case 'a2a-0.3': {
      const parsed = cardV03Schema.safeParse(record, PARSE_OPTIONS);
      return parsed.success ? normaliseV03(parsed.data) : fail(parsed.error);
    }
    case 'legacy': {
      const parsed = legacyCardSchema.safeParse(record, PARSE_OPTIONS);
      return parsed.success ? normaliseLegacy(parsed.data) : fail(parsed.error);
    }
  }
}
