import { ValidationError } from '../errors.js';
import { indexTermsOf, term } from '../search/index-terms.js';
import { isPrefixTerm } from '../search/word-prefixes.js';
import type { SignatureStatus } from '../signatures/card-signature-verifier.js';
import type { KeptSummary } from '../store/agent-record.js';
import { CARD_LIMITS } from '../card/card-limits.js';
import { validateCard } from '../card/card-validation.js';
import type { NormalisedCard } from '../card/normalised-card.js';

/** A card's own index terms and the term of its signature status. */
export function withSignatureTerm(cardTerms: readonly string[], signatureStatus: SignatureStatus): string[] {
  return [...cardTerms, term('sig', signatureStatus)];
}

/** Every index term of a registered card: the card's own terms and its signature status. */
export function recordTermsOf(card: NormalisedCard, signatureStatus: SignatureStatus): string[] {
  return withSignatureTerm(indexTermsOf(card), signatureStatus);
}

/**
 * The card's own index terms, refused past {@link CARD_LIMITS}.indexTerms (word prefixes aside): each
 * is a set membership written with the card, so their number is what one write costs Redis.
 */
export function boundedIndexTermsOf(card: NormalisedCard, cardPath: string): string[] {
  const terms = indexTermsOf(card);
  // Word prefixes have a bound of their own (MAX_PREFIX_TERMS_PER_CARD), so no card is refused for them.
  const counted = terms.filter((term) => !isPrefixTerm(term)).length;
  if (counted > CARD_LIMITS.indexTerms) {
    const message = `yields ${counted} index terms (skill ids, tags, modes, bindings, extensions and distinct words); at most ${CARD_LIMITS.indexTerms} are allowed`;
    throw new ValidationError('The agent card is over the registry limits', [{ path: cardPath, message }], 'invalid_agent_card');
  }
  return terms;
}

/**
 * The index terms of a stored record, from its card text: the Redis store keeps no copy of them
 * and derives the memberships to move from the card it replaces. A stored card that no longer
 * validates (a later, stricter version reading older data) yields no terms, so the write still
 * goes through; only its old memberships are then left behind.
 */
export function storedRecordTerms(card: string, summary: KeptSummary): string[] {
  try {
    return recordTermsOf(validateCard(JSON.parse(card)), summary.signatureStatus);
  } catch {
    return [];
  }
}
