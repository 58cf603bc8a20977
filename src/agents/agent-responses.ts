import { z } from 'zod';
import type { RawJson } from '../http/json-text.js';
import { named } from '../http/named-schemas.js';
import { PROBE_STATUSES } from '../store/probe-outcome.js';

// The bodies the agent operations answer over REST (snake_case), beside the presenters that build
// them: the presenters' types come from these, and the API document is generated from them.

/** A card exactly as its client registered it: the registry keeps its bytes and vouches for no field. */
export const agentCardSchema = named('AgentCard', z.looseObject({}));

const isoTime = z.string();
const signatureError = z.object({ code: z.string(), message: z.string() });
const ownerChange = z.object({ from: z.string(), to: z.string(), at: isoTime, reason: z.string() });

/** The registry's data about one agent, in every answer that names one. */
export const agentFieldsSchema = named(
  'AgentFields',
  z.object({
    agent_id: z.string(),
    revision: z.number().int(),
    etag: z.string(),
    status: z.enum(['active', 'inactive']),
    heartbeat_ttl_seconds: z.number().int(),
    format: z.enum(['a2a-1.0', 'a2a-0.3', 'legacy']),
    signature_status: z.enum(['verified', 'invalid', 'unsigned']),
    signature_form: z.enum(['a2a-spec', 'a2a-sdk', 'a2a-python', 'jcs']).optional(),
    signature_error: signatureError.optional(),
    source_url: z.string().optional(),
    /** The publisher's `urn:air` identifier, for agents ingested from an AI Catalog entry that had one. */
    air_identifier: z.string().optional(),
    previous_revision: z.number().int().optional(),
    domain_verified: z.boolean(),
    owner_changes: z.array(ownerChange).optional(),
    /** The lifecycle its owner set (`deprecated` agents come after active ones in search). */
    lifecycle_status: z.enum(['active', 'deprecated']).optional(),
    status_message: z.string().optional(),
    status_changed_at: isoTime.optional(),
    created_at: isoTime,
    updated_at: isoTime,
  }),
);
export type AgentFields = z.infer<typeof agentFieldsSchema>;

/** A body with its card as the stored bytes, as presenters build it. */
type WithStoredCard<S extends z.ZodType> = Omit<z.infer<S>, 'agent_card'> & { agent_card: RawJson };

/** What the worker's last probe of the agent found (docs/probes.md); absent until it was first probed. */
export const probeSchema = named(
  'Probe',
  z.object({
    status: z.enum(PROBE_STATUSES),
    checked_at: isoTime,
    latency_ms: z.number().int().nullable(),
    /** How the preferred interface answered a well-formed A2A request: `unsupported` for gRPC, `skipped` when the card was not served. */
    transport: z.enum(['ok', 'failed', 'unsupported', 'skipped']),
    /** Fields of the served card that differ from the stored one (skills as `skills[id]`), capped; null when none do. */
    card_drift: z.object({ added: z.array(z.string()), removed: z.array(z.string()), changed: z.array(z.string()), truncated: z.boolean() }).nullable(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
  }),
);
export type ProbeBody = z.infer<typeof probeSchema>;

/** `GET /agents/{id}`: the record with its card. */
export const agentRecordResponse = named(
  'AgentRecord',
  agentFieldsSchema.extend({ found: z.literal(true), agent_card: agentCardSchema, probe: probeSchema.optional() }),
);
export type AgentRecordBody = WithStoredCard<typeof agentRecordResponse>;

/** A write's answer: the new revision, and whether the agent was created. */
export const agentSavedResponse = named(
  'AgentSaved',
  agentFieldsSchema.extend({ success: z.literal(true), created: z.boolean(), message: z.string() }),
);
export type AgentSaved = z.infer<typeof agentSavedResponse>;

export const agentDeletedResponse = named(
  'AgentDeleted',
  z.object({ success: z.literal(true), agent_id: z.string(), revision: z.number().int(), message: z.string() }),
);
export type AgentDeleted = z.infer<typeof agentDeletedResponse>;

/** A deleted agent, as listings of what changed show it (`updated_since` with `include_deleted`). */
export const tombstoneSchema = named(
  'Tombstone',
  z.object({ agent_id: z.string(), revision: z.number().int(), lifecycle_status: z.literal('deleted'), deleted_at: isoTime }),
);
export type TombstoneBody = z.infer<typeof tombstoneSchema>;

/** `PATCH /agents/{id}`: the lifecycle set, or the removal `deleted` made. */
export const lifecycleResponse = named(
  'LifecycleChanged',
  z.union([
    z.object({
      success: z.literal(true),
      agent_id: z.string(),
      revision: z.number().int(),
      etag: z.string(),
      lifecycle_status: z.enum(['active', 'deprecated']),
      status_message: z.string().optional(),
      status_changed_at: isoTime.optional(),
    }),
    agentDeletedResponse.extend({ lifecycle_status: z.literal('deleted') }),
  ]),
);
export type LifecycleAnswer = z.infer<typeof lifecycleResponse>;

/** One entry of a page's `results`: the registry's data and what listings show of the card. */
export const agentResultSchema = named(
  'AgentResult',
  agentFieldsSchema.extend({ name: z.string(), description: z.string(), url: z.string().optional(), probe_status: z.enum(PROBE_STATUSES).optional() }),
);
export type AgentResult = z.infer<typeof agentResultSchema>;

/** A page of a listing or search. */
export const agentPageResponse = named(
  'AgentPage',
  z.object({
    /** The cards as registered, as clients of the earlier registry expect. */
    agents: z.array(agentCardSchema),
    /** In the same order, each card's registry data. */
    results: z.array(agentResultSchema),
    count: z.number().int(),
    total: z.number().int(),
    total_exact: z.boolean(),
    next_cursor: z.string().nullable(),
    query: z.string().nullable(),
    /** On listings of every agent: the change log position the page is a snapshot of. */
    change_cursor: z.string().optional(),
    /** With `updated_since` and `include_deleted`: the agents deleted since, in the order of the changes. */
    deleted: z.array(tombstoneSchema).optional(),
  }),
);

export const heartbeatResponse = named(
  'Heartbeat',
  z.object({
    success: z.literal(true),
    agent_id: z.string(),
    status: z.literal('active'),
    revision: z.number().int(),
    reactivated: z.boolean(),
    expires_at: isoTime.nullable(),
  }),
);
export type HeartbeatAnswer = z.infer<typeof heartbeatResponse>;

export const pingResponse = named(
  'Ping',
  z.object({
    agent_id: z.string(),
    url: z.string().nullable(),
    reachable: z.boolean(),
    latency_ms: z.number().nullable(),
    card_drift: z.boolean().nullable(),
    checked_at: isoTime,
    error: z.object({ code: z.string(), reason: z.string(), message: z.string() }).optional(),
  }),
);
export type PingAnswer = z.infer<typeof pingResponse>;

/** `GET /agents/{id}/previous`: the card before the last change of an agent registered by URL. */
export const previousCardResponse = named(
  'PreviousCard',
  z.object({ agent_id: z.string(), revision: z.number().int(), agent_card: agentCardSchema }),
);
export type PreviousCardBody = WithStoredCard<typeof previousCardResponse>;
