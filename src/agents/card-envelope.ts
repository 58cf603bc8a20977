import { rawJsonAt } from '../http/raw-json.js';

/** A card taken out of a request, with its exact text and where it sat. */
export interface ReceivedCard {
  card: unknown;
  cardJson: string;
  cardPath: string;
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
  return {
    card,
    cardJson: exact ?? JSON.stringify(card) ?? 'null',
    cardPath: cardPathSteps.reduce<string>((acc, step) => (typeof step === 'number' ? `${acc}[${step}]` : `${acc}.${step}`), '$'),
  };
}
