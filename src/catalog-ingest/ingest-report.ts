import type { ENTRY_OUTCOMES } from '../agents/catalog-ingest-responses.js';
import type { CatalogSignatureStatus } from '../store/catalog-sources.js';

/** What became of one catalog entry. */
export type EntryOutcome = (typeof ENTRY_OUTCOMES)[number];

/** One entry of an ingest's report. */
export interface EntryReport {
  /** The entry's identifier as the catalog spelled it (absent when it had none). */
  identifier?: string;
  /** The agent the entry is (or would be) registered as. */
  agentId?: string;
  outcome: EntryOutcome;
  /** The catalog that listed the entry: the one named, or one nested in it. */
  catalogUrl: string;
  /** Why the entry was skipped or failed: a stable code and a message. */
  error?: { code: string; message: string };
}

/** Why an ingest stopped before it read every entry. */
export type IngestStop = 'entry_budget' | 'deadline';

/** What keeping the registry's agents in step with the catalog did (see `catalog-sync.ts`). */
export interface SyncOutcome {
  /** Entries that left the catalog, whose agents are now deprecated. */
  deprecated: number;
  /** Entries that came back within the grace period, whose agents are active again. */
  reactivated: number;
  /** Entries gone for longer than the grace period, whose agents were deleted. */
  deleted: number;
}

/** What one ingest of a catalog did, entry by entry. */
export interface IngestReport {
  catalogUrl: string;
  /** Every entry read, in catalog order (nested catalogs after the catalog that lists them). */
  entries: EntryReport[];
  /** Catalogs read: the one named and every nested one. */
  catalogs: number;
  /**
   * True when every entry of every catalog within the nesting limit was read: only then do entries
   * missing from the catalog count as removed.
   */
  complete: boolean;
  stopped?: IngestStop;
  /** Whether the named catalog's own top-level signature verified (nested catalogs' are not checked). */
  signatureStatus: CatalogSignatureStatus;
  sync: SyncOutcome;
}

/** How many entries had each outcome. */
export function totalsOf(report: IngestReport): Record<EntryOutcome, number> & { entries: number } {
  const totals = { entries: report.entries.length, registered: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 };
  for (const entry of report.entries) totals[entry.outcome]++;
  return totals;
}
