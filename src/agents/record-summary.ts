import type { RecordSummary } from '../store/agent-record.js';
import type { SignatureStatus } from '../signatures/card-signature-verifier.js';
import type { NormalisedCard } from './card/normalised-card.js';

/** What a record keeps of its normalised card for listings: format, name, description, first URL, signature. */
export function recordSummaryOf(card: NormalisedCard, signatureStatus: SignatureStatus): RecordSummary {
  const url = card.interfaces[0]?.url;
  return { format: card.format, name: card.name, description: card.description, ...(url ? { url } : {}), signatureStatus };
}
