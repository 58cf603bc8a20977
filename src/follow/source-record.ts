import { validateCard } from '../card/card-validation.js';
import type { CardFormat } from '../card/card-schemas.js';
import { interfaceHosts } from '../card/interface-hosts.js';
import type { NormalisedCard } from '../card/normalised-card.js';
import { recordSummaryOf, storedRecordSummary } from '../agents/record-summary.js';
import { recordTermsOf } from '../agents/record-terms.js';
import { parseSearchCriteria } from '../search/search-criteria.js';
import { structuredTerms } from '../search/search-service.js';
import type { SignatureError } from '../signatures/card-signature-verifier.js';
import type { SigningFormName } from '../signatures/signing-forms.js';
import type { MirroredRecord } from '../store/mirror-write.js';
import type { SourceAgent } from './source-client.js';

/** A card as its source holds it, read as this registry reads cards; undefined when this version cannot read it. */
function normalised(card: string): NormalisedCard | undefined {
  try {
    return validateCard(JSON.parse(card));
  } catch {
    return undefined;
  }
}

/**
 * The record a mirror stores for an agent of its source: the card's bytes, the source's revision,
 * times, status and signature outcome as they are, and the index terms and hosts this registry
 * derives from the card (so that its searches find it as the source's do). A card this version
 * cannot read is kept all the same, in no index but the listing.
 */
export function mirroredRecordOf({ card, fields }: SourceAgent): MirroredRecord {
  const read = normalised(card);
  const signature = {
    status: fields.signature_status,
    ...(fields.signature_form ? { form: fields.signature_form as SigningFormName } : {}),
    ...(fields.signature_error ? { error: fields.signature_error as SignatureError } : {}),
  };
  const summary = read
    ? recordSummaryOf(read, signature)
    : storedRecordSummary(card, { format: fields.format as CardFormat, signatureStatus: signature.status });
  return {
    id: fields.agent_id,
    card,
    summary,
    revision: fields.revision,
    createdAt: fields.created_at,
    updatedAt: fields.updated_at,
    status: fields.status,
    ttlSeconds: fields.heartbeat_ttl_seconds,
    ...(fields.source_url ? { sourceUrl: fields.source_url } : {}),
    ...(fields.air_identifier ? { airIdentifier: fields.air_identifier } : {}),
    ...(fields.previous_revision !== undefined ? { previousRevision: fields.previous_revision } : {}),
    domainVerified: fields.domain_verified,
    ...(fields.owner_changes ? { ownerChanges: fields.owner_changes } : {}),
    lifecycle: {
      status: fields.lifecycle_status ?? 'active',
      ...(fields.status_message ? { message: fields.status_message } : {}),
      ...(fields.status_changed_at ? { changedAt: fields.status_changed_at } : {}),
    },
    terms: read ? recordTermsOf(read, signature.status) : [],
    hosts: read ? interfaceHosts(read) : [],
  };
}

/**
 * Whether a record belongs to a mirror of the source's agents that match `filter` (its search
 * filters as a query string, empty: every agent): the record is in every index term they ask for,
 * as the source's search would find it.
 */
export function filterOf(filter: string): (record: MirroredRecord) => boolean {
  const params: Record<string, string[]> = {};
  for (const [key, value] of new URLSearchParams(filter)) (params[key] ??= []).push(value);
  const flags = new Set(['streaming', 'push_notifications']);
  const criteria = parseSearchCriteria(Object.fromEntries(Object.entries(params).map(([key, values]) => [key, flags.has(key) ? values.at(-1) : values])));
  const required = structuredTerms(criteria);
  return (record) => {
    const terms = new Set(record.terms);
    return required.every((term) => terms.has(term));
  };
}
