import { createHash } from 'node:crypto';

/** An AI Catalog the registry ingested for an owner, which the worker reads again on a schedule. */
export interface IngestedCatalog {
  /** Names the catalog in the store: a digest of its owner and URL (see {@link catalogKeyOf}). */
  key: string;
  /** The catalog's URL as it was read (the root of its nested catalogs). */
  url: string;
  /** The principal whose agents its entries became. */
  owner: string;
}

/** How the last read of a catalog went: read in full, read in part (a budget, a deadline, a nested catalog), or not read. */
export type CatalogReadResult = 'ok' | 'incomplete' | 'failed';

/** Whether a catalog's top-level detached JWS checked out against its origin's keys, or it had none. */
export type CatalogSignatureStatus = 'verified' | 'invalid' | 'unsigned';

/** What the registry remembers of the last read of a catalog. */
export interface CatalogRead {
  /** When it was read (Unix ms). */
  at: number;
  result: CatalogReadResult;
  /** Absent when the read failed before the document was checked. */
  signatureStatus?: CatalogSignatureStatus;
  /** Entries held but missing from the catalog after this read, and since when the first of them is missing (Unix ms). */
  missing?: { count: number; since?: number };
}

/** An ingested catalog as an owner sees it: its last read, next read and the size of what it holds. */
export interface CatalogState extends IngestedCatalog {
  lastRead?: CatalogRead;
  /** When the worker reads it again (Unix ms); absent once its sync is stopped. */
  nextReadAt?: number;
  /** Entries it holds as agents. */
  entries: number;
}

/** One entry of an ingested catalog that the registry holds as an agent. */
export interface HeldEntry {
  /** The publisher's `urn:air` identifier, exactly. */
  identifier: string;
  agentId: string;
  /** When the entry was first found missing from the catalog (Unix ms); absent while the catalog lists it. */
  missingSince?: number;
}

/**
 * The catalogs the registry ingested and the entries each held, so that a later read of a catalog
 * can tell which entries left it. A catalog's entries are bounded by the ingest's entry budget.
 */
export interface CatalogSourceStore {
  /** Remembers that `owner` ingested the catalog at `url` (again), to be read again at `nextReadAt`. */
  remember(url: string, owner: string, nextReadAt: Date): Promise<IngestedCatalog>;
  /** Up to `limit` catalogs due to be read again by `now`, soonest first. */
  due(now: Date, limit: number): Promise<IngestedCatalog[]>;
  /** Sets when a remembered catalog is read again (nothing when it is not remembered). */
  schedule(key: string, at: Date): Promise<void>;
  /** Every entry the catalog holds. */
  heldEntries(key: string): Promise<HeldEntry[]>;
  /** Adds or replaces these entries of the catalog. */
  putEntries(key: string, entries: readonly HeldEntry[]): Promise<void>;
  /** Forgets these entries of the catalog (by identifier). */
  dropEntries(key: string, identifiers: readonly string[]): Promise<void>;
  /** Remembers how the last read of a remembered catalog went (nothing when it is not remembered). */
  recordRead(key: string, read: CatalogRead): Promise<void>;
  /** The catalog's state, or undefined when it is not remembered. */
  state(key: string): Promise<CatalogState | undefined>;
  /** Up to `limit` catalog keys after `after`, in key order: `owner`'s alone, or every owner's. */
  listKeys(options: { owner?: string; after?: string; limit: number }): Promise<string[]>;
  /** `limit` of the entries the catalog holds (all of them when it holds fewer), in no particular order. */
  someEntries(key: string, limit: number): Promise<HeldEntry[]>;
  /** Stops reading the catalog again; it is still remembered, with its entries. */
  unschedule(key: string): Promise<void>;
  /** Forgets the catalog and every entry it holds. */
  forget(key: string): Promise<void>;
}

/** The key of the catalog at `url` ingested by `owner`: two owners' ingests of one catalog are apart. */
export function catalogKeyOf(url: string, owner: string): string {
  return createHash('sha256').update(`${owner}\n${url}`).digest('base64url').slice(0, 22);
}

/** A held entry as stores keep it under its identifier: its agent id and, when missing, since when. */
export function heldEntryText(entry: HeldEntry): string {
  return JSON.stringify(entry.missingSince === undefined ? [entry.agentId] : [entry.agentId, entry.missingSince]);
}

/** The entry {@link heldEntryText} wrote under `identifier`. */
export function heldEntryOf(identifier: string, text: string): HeldEntry {
  const [agentId, missingSince] = JSON.parse(text) as [string, number?];
  return { identifier, agentId, ...(missingSince === undefined ? {} : { missingSince }) };
}
