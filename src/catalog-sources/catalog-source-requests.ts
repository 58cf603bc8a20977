import { z } from 'zod';

// One schema per operation on ingested catalogs, read by both doors: REST from the path and query, JSON-RPC from the params.

/** Catalogs in one page when the caller names no limit. */
export const DEFAULT_CATALOG_PAGE = 20;
/** The most catalogs one page holds: each is one small read of the store. */
export const MAX_CATALOG_PAGE = 100;

/** A catalog's key as the registry hands it out: the URL-safe digest of its owner and URL. */
const catalogKey = z.string().regex(/^[A-Za-z0-9_-]{22}$/, { message: 'must be a catalog key as GET /catalogs lists it (22 URL-safe characters)' });
const whole = z.union([z.number(), z.string().regex(/^\d{1,6}$/).transform(Number)]).pipe(z.number().int().min(1).max(MAX_CATALOG_PAGE));
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

/** `GET /catalogs` and its methods: a page of the caller's catalogs (every owner's for an admin). */
export const catalogListRequest = z.strictObject({
  limit: whole.optional(),
  /** Start after this catalog: the `next_cursor` of the page before. */
  cursor: catalogKey.optional(),
});

/** `GET /catalogs/{key}` and its methods. */
export const catalogRequest = z.strictObject({ key: catalogKey });

/** `DELETE /catalogs/{key}` and its methods. */
export const catalogStopRequest = z.strictObject({
  key: catalogKey,
  /** Delete the agents the catalog registered too. @defaultValue false: they stay as they are */
  delete_agents: flag.optional(),
});
