/**
 * The extension catalog: every extension URI some agent declares, kept by the writes that change
 * cards (atomically with the index, in Redis), so reading it never scans cards. An extension
 * leaves the catalog, trust level and all, when no agent declares it any more.
 */

/** How far the registry trusts an extension; only admins change it. The first is every new extension's. */
export const TRUST_LEVELS = ['unverified', 'community', 'verified', 'official'] as const;
export type TrustLevel = (typeof TRUST_LEVELS)[number];

/** One extension as the catalog knows it. URIs are folded (lower-cased) as the index folds them. */
export interface ExtensionEntry {
  uri: string;
  /** How many agents declare it, inactive ones included. */
  declaringAgents: number;
  /** How many of them declare it `required`. */
  requiringAgents: number;
  /** ISO times at which a saved card first, and last, declared it. */
  firstSeen: string;
  lastSeen: string;
  /** The agent whose card brought it into the catalog. */
  firstDeclaredBy: string;
  trustLevel: TrustLevel;
}

/** What a page of the catalog asks for. */
export interface ExtensionQuery {
  /** Start strictly after this URI; absent: at the start. */
  after?: string;
  /** Most entries to find. */
  wanted: number;
  /** Keep only URIs that hold this text (folded); absent: any. */
  uriContains?: string;
  /** Keep only these trust levels; empty: any. */
  trustLevels: readonly TrustLevel[];
}

export interface ExtensionPage {
  /** Up to `wanted` entries after `after`, in URI order. */
  entries: ExtensionEntry[];
  /** Set when the walk spent its budget first: every URI up to this one was examined, and the walk may go on after it. */
  stoppedAt?: string;
  /** How many extensions the catalog holds in all, whatever the filters. */
  catalogSize: number;
  /** Entries the walk examined: the work the page cost. */
  work: number;
}

/** Most catalog entries one page's walk examines, whatever it keeps: its bound of work. */
export const EXTENSION_WALK_BUDGET = 2000;

/** The entry of a catalog row as the Redis scripts answer it (7 fields, see `lua/lib/extension-catalog.lua`). */
function extensionEntryOf(fields: readonly string[], at: number): ExtensionEntry {
  const [uri, firstSeen, lastSeen, firstBy, trust, declaring, requiring] = fields.slice(at, at + 7);
  return {
    uri: uri ?? '',
    declaringAgents: Number(declaring),
    requiringAgents: Number(requiring),
    firstSeen: new Date(Number(firstSeen)).toISOString(),
    lastSeen: new Date(Number(lastSeen)).toISOString(),
    firstDeclaredBy: firstBy ?? '',
    trustLevel: (TRUST_LEVELS as readonly string[]).includes(trust ?? '') ? (trust as TrustLevel) : 'unverified',
  };
}

/** The entries of a flat list of rows. */
export function extensionEntriesOf(fields: readonly string[]): ExtensionEntry[] {
  const entries: ExtensionEntry[] = [];
  for (let at = 0; at < fields.length; at += 7) entries.push(extensionEntryOf(fields, at));
  return entries;
}
