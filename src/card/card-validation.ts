import type { z } from 'zod';
import { ValidationError } from '../errors.js';
import { PARSE_OPTIONS, violationsOf } from '../validation.js';
import { cardV03Schema, cardV1Schema, detectCardFormat, legacyCardSchema } from './card-schemas.js';
import { normaliseLegacy, normaliseV03, normaliseV1 } from './card-normaliser.js';
import type { NormalisedCard } from './normalised-card.js';

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
