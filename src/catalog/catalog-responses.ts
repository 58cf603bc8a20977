import { z } from 'zod';
import { named } from '../http/named-schemas.js';

// The documents the catalog routes serve, beside their presenters, which take their types from them.
// They follow the AI Catalog schema (specVersion 1.0) and the ARD manifest built on it.

export const catalogEntrySchema = named(
  'CatalogEntry',
  z.object({
    /** `urn:air:{publisher}:{namespace}:{name}`: the publisher's own, or one the registry assigns. */
    identifier: z.string(),
    displayName: z.string(),
    /** `application/a2a-agent-card+json` for agents, `application/ai-catalog+json` for a nested page, `application/ai-registry+json` for the ARD API. */
    type: z.string(),
    /** Where the artifact is: the card as registered, the page, or the API base. */
    url: z.string(),
    description: z.string().optional(),
    tags: z.array(z.string()).optional(),
    capabilities: z.array(z.string()).optional(),
    representativeQueries: z.array(z.string()).min(2).max(5).optional(),
    version: z.string().optional(),
    updatedAt: z.string().optional(),
    publisher: z.object({ identifier: z.string(), displayName: z.string() }).optional(),
    metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  }),
);
export type CatalogEntry = z.infer<typeof catalogEntrySchema>;

const catalogHostSchema = z.object({
  displayName: z.string(),
  identifier: z.string().optional(),
  documentationUrl: z.string().optional(),
});

export const catalogDocumentSchema = named(
  'AiCatalog',
  z.object({
    specVersion: z.literal('1.0'),
    host: catalogHostSchema,
    entries: z.array(catalogEntrySchema),
    /** With CATALOG_SIGNING_KEY: the detached JWS (compact, empty payload part) over the JCS form of the document without this member. */
    signature: z.string().optional(),
  }),
);
export type CatalogDocument = z.infer<typeof catalogDocumentSchema>;

export const jwksSchema = named(
  'JsonWebKeySet',
  z.object({ keys: z.array(z.object({ kty: z.string(), kid: z.string(), alg: z.string(), use: z.literal('sig') }).loose()) }),
);
export type PublishedJwks = z.infer<typeof jwksSchema>;
