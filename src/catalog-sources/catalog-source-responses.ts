import { z } from 'zod';
import { named } from '../http/named-schemas.js';

// The bodies of the ingested catalogs' REST answers, beside their presenter, which takes its types from them.

const catalogFields = z.object({
  /** Stable and URL-safe: a digest of the owner and the URL. */
  key: z.string(),
  url: z.string(),
  /** The principal whose agents its entries became. */
  owner: z.string(),
  /** Whether the worker still reads it again: false once a stop that deletes its agents began. */
  syncing: z.boolean(),
  next_read_at: z.string().optional(),
  last_read_at: z.string().optional(),
  /** `ok`: read in full; `incomplete`: in part (budget, deadline, a nested catalog unread), so nothing counted as removed; `failed`: not read. */
  last_read_result: z.enum(['ok', 'incomplete', 'failed']).optional(),
  /** Its own top-level signature at the last read that got the document. */
  signature_status: z.enum(['verified', 'invalid', 'unsigned']).optional(),
  /** Entries it holds as agents. */
  entries: z.number().int(),
  /** Of those, entries missing from it at the last read (their agents deprecated until the grace period ends). */
  missing_entries: z.number().int(),
  /** When the first of the missing entries went missing. */
  missing_since: z.string().optional(),
});
export type CatalogFields = z.infer<typeof catalogFields>;

export const catalogSourceResponse = named('IngestedCatalog', catalogFields);

export const catalogSourcePageResponse = named(
  'IngestedCatalogPage',
  z.object({
    catalogs: z.array(catalogFields),
    /** Pass as `cursor` for the next page; absent on a page shorter than the limit (a full page has one, even when nothing follows). */
    next_cursor: z.string().optional(),
  }),
);
export type CatalogPageAnswer = z.infer<typeof catalogSourcePageResponse>;

export const catalogStoppedResponse = named(
  'IngestedCatalogStopped',
  z.object({
    key: z.string(),
    /** True once the catalog is forgotten; false while agents remain to delete: repeat the request. */
    forgotten: z.boolean(),
    agents_deleted: z.number().int(),
    /** Agents it still holds: kept as they are (no `delete_agents`), or left for the next request. */
    agents_remaining: z.number().int(),
  }),
);
export type CatalogStoppedAnswer = z.infer<typeof catalogStoppedResponse>;
