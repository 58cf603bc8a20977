import { validateCard } from '../card/card-validation.js';
import type { AgentInterface } from '../card/normalised-card.js';
import type { AgentRecord } from '../store/agent-record.js';

/**
 * The extension a card declares (in `capabilities.extensions`) to ask registries not to probe the
 * agent: the publisher serves the card, so the choice is theirs, and it stays with the card
 * through refreshes and re-registrations. A URN, so that it names no one's domain.
 */
export const NO_PROBE_EXTENSION = 'urn:a2a-registry:no-probe';

/** What a probe of one agent asks of, read from its stored record. */
export type ProbeTarget =
  | { kind: 'opted_out' }
  | { kind: 'unusable'; message: string }
  | {
      kind: 'probe';
      /** Where the card is fetched: where it was registered from, or the well-known card of the preferred interface's origin. */
      cardUrl: string;
      /** The card's first interface: the one clients use first. */
      preferred: AgentInterface;
    };

/** The target of a probe of `record`. */
export function probeTargetOf(record: Pick<AgentRecord, 'card' | 'sourceUrl'>): ProbeTarget {
  let card;
  try {
    card = validateCard(JSON.parse(record.card));
  } catch {
    return { kind: 'unusable', message: 'The stored card no longer validates' };
  }
  if (card.capabilities.extensions.includes(NO_PROBE_EXTENSION)) return { kind: 'opted_out' };
  const [preferred] = card.interfaces;
  if (!preferred || !URL.canParse(preferred.url)) return { kind: 'unusable', message: 'The stored card names no interface URL' };
  // A gRPC interface may name a scheme of its own: its host's card is still served over https.
  const origin = /^https?:$/.test(new URL(preferred.url).protocol) ? preferred.url : `https://${new URL(preferred.url).hostname}`;
  const cardUrl = record.sourceUrl ?? new URL('/.well-known/agent-card.json', origin).href;
  return { kind: 'probe', cardUrl, preferred };
}

/** The origin whose concurrency and `Retry-After` a probe of `target` counts against. */
export function originOf(target: Extract<ProbeTarget, { kind: 'probe' }>): string {
  return new URL(target.cardUrl).origin;
}
