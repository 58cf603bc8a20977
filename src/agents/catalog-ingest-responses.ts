import { z } from 'zod';
import { named } from '../http/named-schemas.js';

// The body register-by-URL answers for an AI Catalog (REST, snake_case); the catalog ingest feature
// (`src/catalog-ingest/`) ingests the catalog and presents its report in this shape.

/** What became of one catalog entry, in the order reports count them. */
export const ENTRY_OUTCOMES = ['registered', 'updated', 'unchanged', 'skipped', 'failed'] as const;

const outcome = z.enum(ENTRY_OUTCOMES);

/** One entry of the catalog, as the ingest left it. */
const catalogEntryResult = named(
  'CatalogEntryResult',
  z.object({
    /** The entry's identifier exactly as the catalog spelled it; absent when it had none. */
    identifier: z.string().optional(),
    /** The agent the entry is (or would be) registered as: derived from the identifier. */
    agent_id: z.string().optional(),
    outcome,
    /** The catalog that lists the entry: the one named, or one nested in it. */
    catalog_url: z.string(),
    /** Why it was skipped or failed (`unsupported_type`, `invalid_entry`, `catalog_too_deep`, `catalog_cycle`, or the error a registration of it answered). */
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  }),
);

/** What an ingest of an AI Catalog did, entry by entry. */
export const catalogIngestResponse = named(
  'CatalogIngest',
  z.object({
    kind: z.literal('catalog'),
    catalog_url: z.string(),
    /** Whether every entry within the nesting limit was read; only a complete read retires entries that left the catalog. */
    complete: z.boolean(),
    /** Why the read stopped early: the entry budget, or the request's deadline (the worker then reads the catalog again at once). */
    stopped: z.enum(['entry_budget', 'deadline']).optional(),
    /** Catalogs read: the one named and the nested ones. */
    catalogs: z.number().int(),
    /** Whether the catalog's own top-level signature verified with its origin's keys (or the trusted ones); unsigned catalogs are read too. */
    signature_status: z.enum(['verified', 'invalid', 'unsigned']),
    totals: z.object({
      entries: z.number().int(),
      registered: z.number().int(),
      updated: z.number().int(),
      unchanged: z.number().int(),
      skipped: z.number().int(),
      failed: z.number().int(),
    }),
    /** What the read did to the agents of entries that left the catalog or came back. */
    sync: z.object({ deprecated: z.number().int(), reactivated: z.number().int(), deleted: z.number().int() }),
    entries: z.array(catalogEntryResult),
  }),
);
