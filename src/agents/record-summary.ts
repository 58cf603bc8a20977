import { signatureDetailOf, type KeptSummary, type RecordSummary } from '../store/agent-record.js';
import type { SignatureVerification } from '../signatures/card-signature-verifier.js';
import type { NormalisedCard } from '../card/normalised-card.js';

/**
 * What a record keeps of its normalised card for listings: format, name, description, first URL,
 * and the outcome of its signature check (status, and the form that verified or why none did).
 */
export function recordSummaryOf(card: NormalisedCard, signature: Pick<SignatureVerification, 'status' | 'form' | 'error'>): RecordSummary {
  const url = card.interfaces[0]?.url;
  return {
    format: card.format,
    name: card.name,
    description: card.description,
    ...(url ? { url } : {}),
    signatureStatus: signature.status,
    ...signatureDetailOf({ signatureForm: signature.form, signatureError: signature.error }),
  };
}

/**
 * The summary of a stored card from the fields kept beside it: name and description are top-level
 * fields of every card shape, kept as sent, so the card's text holds them and they need no copy.
 */
export function storedRecordSummary(card: string, kept: KeptSummary): RecordSummary {
  const { name, description } = JSON.parse(card) as Record<string, unknown>;
  return { ...kept, name: typeof name === 'string' ? name : '', description: typeof description === 'string' ? description : '' };
}
