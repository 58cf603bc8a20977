import { indexTermsOf, term } from '../search/index-terms.js';
import type { SignatureStatus } from '../signatures/card-signature-verifier.js';
import type { KeptSummary } from '../store/agent-record.js';
import { validateCard } from './card/card-validation.js';
import type { NormalisedCard } from './card/normalised-card.js';

/** Every index term of a registered card: the card's own terms and its signature status. */
export function recordTermsOf(card: NormalisedCard, signatureStatus: SignatureStatus): string[] {
  const terms = indexTermsOf(card);
  terms.push(term('sig', signatureStatus));
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
