import { airIdentifierOf } from '../agents/air-identifier.js';
import type { AgentRecord } from '../store/agent-record.js';
import type { CatalogEntry } from './catalog-responses.js';

/** The media type of an entry that is an A2A agent card. */
export const A2A_CARD_TYPE = 'application/a2a-agent-card+json';

/** Most tags, and most capabilities, an entry lists: a card may have many skills, an entry stays small. */
const MAX_ENTRY_TAGS = 32;

/** Representative queries an entry carries when the card's skills have examples: the schema allows 2 to 5. */
const MIN_QUERIES = 2;
const MAX_QUERIES = 5;

/** Longest text kept of one tag, capability or query, and of a name: cards bound their strings, entries bound them again. */
const MAX_TERM_LENGTH = 256;
/** Longest description an entry repeats: the card holds the whole, and a page of entries stays small whatever the cards weigh. */
const MAX_ENTRY_DESCRIPTION_LENGTH = 2048;

/** Where the registry serves, for the entries it presents: its public URL and the publisher part of its identifiers. */
export interface CatalogSite {
  publicUrl: string;
  publisher: string;
}

/** The fields of a card an entry repeats, read from the card's text (either card format names them alike). */
interface CardFacts {
  name: string;
  description: string;
  version?: string;
  provider?: { organization: string; url?: string };
  tags: string[];
  capabilities: string[];
  queries: string[];
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value : undefined);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** Adds `value` to `into` when it is new text and there is room. */
function addDistinct(into: Set<string>, value: unknown, max: number): void {
  const kept = text(value)?.slice(0, MAX_TERM_LENGTH);
  if (kept !== undefined && into.size < max) into.add(kept);
}

function cardFactsOf(card: string): CardFacts {
  const parsed = JSON.parse(card) as Record<string, unknown>;
  const tags = new Set<string>();
  const capabilities = new Set<string>();
  const queries = new Set<string>();
  for (const skill of list(parsed.skills)) {
    if (typeof skill !== 'object' || skill === null) continue;
    const s = skill as Record<string, unknown>;
    for (const tag of list(s.tags)) addDistinct(tags, tag, MAX_ENTRY_TAGS);
    addDistinct(capabilities, text(s.id) ?? s.name, MAX_ENTRY_TAGS);
    for (const example of list(s.examples)) addDistinct(queries, example, MAX_QUERIES);
  }
  const provider = parsed.provider as Record<string, unknown> | undefined;
  const organization = text(provider?.organization);
  const providerUrl = text(provider?.url);
  return {
    name: text(parsed.name)?.slice(0, MAX_TERM_LENGTH) ?? '',
    description: typeof parsed.description === 'string' ? parsed.description.slice(0, MAX_ENTRY_DESCRIPTION_LENGTH) : '',
    ...(text(parsed.version) ? { version: parsed.version as string } : {}),
    ...(organization ? { provider: { organization, ...(providerUrl ? { url: providerUrl } : {}) } } : {}),
    tags: [...tags],
    capabilities: [...capabilities],
    queries: [...queries],
  };
}

/** Each record's card facts, read once per record object: the replica cache hands the same objects to every request. */
const factsByRecord = new WeakMap<AgentRecord, CardFacts>();
function factsOf(record: AgentRecord): CardFacts {
  let facts = factsByRecord.get(record);
  if (!facts) {
    facts = cardFactsOf(record.card);
    factsByRecord.set(record, facts);
  }
  return facts;
}

/** Where the card is, as registered: where it was fetched from, or the registry's own copy. */
function cardUrlOf(record: AgentRecord, publicUrl: string): string {
  return record.sourceUrl ?? `${publicUrl}/agents/${encodeURIComponent(record.id)}/card`;
}

/**
 * An agent as an AI Catalog (and ARD) entry: the card by reference, with what a searcher selects by
 * (tags, skills, example queries, publisher) and what the registry knows of it as flat `metadata`.
 */
export function presentCatalogEntry(record: AgentRecord, site: CatalogSite): CatalogEntry {
  const facts = factsOf(record);
  return {
    identifier: airIdentifierOf(record, site.publisher),
    displayName: facts.name || record.id,
    type: A2A_CARD_TYPE,
    url: cardUrlOf(record, site.publicUrl),
    description: facts.description,
    ...(facts.tags.length > 0 ? { tags: facts.tags } : {}),
    ...(facts.capabilities.length > 0 ? { capabilities: facts.capabilities } : {}),
    ...(facts.queries.length >= MIN_QUERIES ? { representativeQueries: facts.queries } : {}),
    ...(facts.version ? { version: facts.version } : {}),
    updatedAt: record.updatedAt,
    ...(facts.provider
      ? { publisher: { identifier: facts.provider.url ?? facts.provider.organization, displayName: facts.provider.organization } }
      : {}),
    metadata: {
      agentId: record.id,
      lifecycleStatus: record.lifecycle.status,
      livenessStatus: record.status,
      signatureStatus: record.summary.signatureStatus,
      domainVerified: record.domainVerified,
      ...(record.probe ? { probeStatus: record.probe.result.status, probeCheckedAt: record.probe.result.checkedAt } : {}),
    },
  };
}
