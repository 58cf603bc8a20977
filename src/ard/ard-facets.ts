import { validateCard } from '../card/card-validation.js';
import type { NormalisedCard } from '../card/normalised-card.js';
import type { AgentRecord } from '../store/agent-record.js';
import type { TermKind } from '../search/index-terms.js';
import type { FacetField } from './ard-requests.js';

/** The index each counted facet's values are terms of. */
export const FACET_TERM_KINDS: Record<Exclude<FacetField, 'type'>, TermKind> = { tags: 'tag', provider: 'org', binding: 'binding' };

function valuesOf(card: NormalisedCard, field: Exclude<FacetField, 'type'>): string[] {
  if (field === 'tags') return card.skills.flatMap((skill) => skill.tags);
  if (field === 'provider') return card.provider ? [card.provider.organization] : [];
  return card.interfaces.map((i) => i.binding);
}

/**
 * The values of `field` among `records`, most frequent first (ties by first seen): the candidates
 * whose counts explore asks the index for. Values are compared folded, as the index stores them,
 * and shown as the first card spelled them. A stored card that no longer validates adds none.
 */
export function candidateValues(records: readonly AgentRecord[], field: Exclude<FacetField, 'type'>): string[] {
  const seen = new Map<string, { shown: string; times: number }>();
  for (const record of records) {
    let card: NormalisedCard;
    try {
      card = validateCard(JSON.parse(record.card));
    } catch {
      continue;
    }
    for (const value of new Set(valuesOf(card, field))) {
      const key = value.trim().toLowerCase();
      const known = seen.get(key);
      if (known) known.times++;
      else seen.set(key, { shown: value, times: 1 });
    }
  }
  return [...seen.values()].sort((a, b) => b.times - a.times).map((value) => value.shown);
}
