import { RawJson, RawJsonArray, toJsonBytes } from '../http/json-text.js';
import type { SearchPage } from '../search/search-service.js';
import { etagOf, type AgentRecord, type HeartbeatResult, type Lifecycle, type PreviousCard, type SavedRecord, type SaveResult, type Tombstone } from '../store/agent-record.js';
import type { PageJsonCache } from './page-json-cache.js';
import type { PingResult } from './agent-ping.js';
import type { ProbeResult } from '../store/probe-outcome.js';
import type {
  AgentDeleted,
  AgentFields,
  AgentRecordBody,
  AgentResult,
  AgentSaved,
  HeartbeatAnswer,
  LifecycleAnswer,
  PingAnswer,
  PreviousCardBody,
  ProbeBody,
  TombstoneBody,
} from './agent-responses.js';

/**
 * Field names of responses: `snake` for the REST API and the JSON-RPC methods of the earlier
 * registry, `camel` for the A2A-style PascalCase JSON-RPC methods.
 */
export type NamingStyle = 'snake' | 'camel';

const CAMEL_RENAMES: Record<string, string> = {
  next_cursor: 'nextPageToken',
  total: 'totalSize',
};

function styled(style: NamingStyle, fields: Record<string, unknown>): Record<string, unknown> {
  if (style === 'snake') return fields;
  return Object.fromEntries(
    Object.entries(fields).map(([key, value]) => [
      CAMEL_RENAMES[key] ?? key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
      value,
    ]),
  );
}

/**
 * The registry data of a record. Callers add their fields with Object.assign: spreading this
 * object into a literal takes V8's slow path, many times as long, on every record of a page.
 */
function recordFields(record: SavedRecord): AgentFields {
  return {
    agent_id: record.id,
    revision: record.revision,
    etag: etagOf(record),
    status: record.status,
    heartbeat_ttl_seconds: record.ttlSeconds,
    format: record.summary.format,
    signature_status: record.summary.signatureStatus,
    signature_form: record.summary.signatureForm,
    signature_error: record.summary.signatureError,
    source_url: record.sourceUrl,
    air_identifier: record.airIdentifier,
    previous_revision: record.previousRevision,
    domain_verified: record.domainVerified,
    owner_changes: record.ownerChanges,
    lifecycle_status: record.lifecycle?.status,
    status_message: record.lifecycle?.message,
    status_changed_at: record.lifecycle?.changedAt,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
  };
}

/**
 * `derive` kept per record object: the cache hands the same record objects to every request
 * (stores hand out records nobody changes), so what is derived from a record is derived once.
 */
function perRecord<T>(derive: (record: AgentRecord) => T): (record: AgentRecord) => T {
  const kept = new WeakMap<AgentRecord, T>();
  return (record) => {
    let value = kept.get(record);
    if (value === undefined) {
      value = derive(record);
      kept.set(record, value);
    }
    return value;
  };
}

/** Each record's card as a RawJson, so its bytes are encoded once. */
const cardJson = perRecord((record) => new RawJson(record.card));

/** A record's card as registered, as the bytes to send. */
export function presentCard(record: AgentRecord): Buffer {
  return cardJson(record).bytes;
}

/** A record with its card as registered, and what its last probe found. */
export function presentRecord(record: AgentRecord, style: NamingStyle) {
  const body: AgentRecordBody = Object.assign(recordFields(record), { found: true as const, agent_card: cardJson(record) });
  if (record.probe) body.probe = presentProbe(record.probe.result);
  const styledBody = styled(style, body);
  if (style === 'camel' && body.probe) styledBody.probe = styled(style, body.probe);
  return styledBody;
}

function presentProbe(result: ProbeResult): ProbeBody {
  return {
    status: result.status,
    checked_at: result.checkedAt,
    latency_ms: result.latencyMs,
    transport: result.transport,
    card_drift: result.cardDrift,
    error: result.error,
  };
}

/** What a write answers: the new revision, and whether the agent was created. */
export function presentSaved({ record, created }: SaveResult, style: NamingStyle) {
  const saved: AgentSaved = Object.assign({ success: true as const }, recordFields(record), {
    created,
    message: created ? 'Agent registered successfully' : 'Agent updated successfully',
  });
  return styled(style, saved);
}

/** The card an agent registered by URL had before its last change. */
export function presentPrevious(id: string, previous: PreviousCard): PreviousCardBody {
  return { agent_id: id, revision: previous.revision, agent_card: new RawJson(previous.card) };
}

const DELETED_MESSAGE = 'Agent unregistered successfully';

/** What a lifecycle change answers: `deleted` as a removal does, with its lifecycle status. */
export function presentLifecycle(id: string, { revision, lifecycle }: { revision: number; lifecycle?: Lifecycle }, style: NamingStyle) {
  const answer: LifecycleAnswer = lifecycle
    ? {
        success: true,
        agent_id: id,
        revision,
        etag: etagOf({ revision }),
        lifecycle_status: lifecycle.status,
        status_message: lifecycle.message,
        status_changed_at: lifecycle.changedAt,
      }
    : { success: true, agent_id: id, revision, message: DELETED_MESSAGE, lifecycle_status: 'deleted' };
  return styled(style, answer);
}

/** The tombstone of a deleted agent, as listings of what changed show it. */
export function presentTombstone(tombstone: Tombstone, style: NamingStyle) {
  const body: TombstoneBody = { agent_id: tombstone.id, revision: tombstone.revision, lifecycle_status: 'deleted', deleted_at: tombstone.deletedAt };
  return styled(style, body);
}

export function presentDeleted(id: string, revision: number, style: NamingStyle) {
  const deleted: AgentDeleted = { success: true, agent_id: id, revision, message: DELETED_MESSAGE };
  return styled(style, deleted);
}

/** Each record's entry in `results`, serialised once per record and style: it was most of a page's JSON work. */
const resultEntries: Record<NamingStyle, (record: AgentRecord) => RawJson> = {
  snake: perRecord((record) => new RawJson(JSON.stringify(resultSummary(record)))),
  camel: perRecord((record) => new RawJson(JSON.stringify(styled('camel', resultSummary(record))))),
};

function resultSummary(record: AgentRecord): AgentResult {
  return Object.assign(recordFields(record), {
    name: record.summary.name,
    description: record.summary.description,
    url: record.summary.url,
    probe_status: record.probe?.result.status,
  });
}

/**
 * A page of agents, as JSON. `agents` holds the cards as registered, as clients of the earlier
 * registry expect; `results` holds, in the same order, each card's registry data. Taken from
 * `pages` when it served the same page before.
 */
export function presentPage(pages: PageJsonCache, page: SearchPage, style: NamingStyle, extra: Record<string, unknown> = {}): RawJson {
  const { records, total, totalExact, nextCursor, deleted } = page;
  // Everything the JSON is made of besides the records, which the cache compares itself.
  const key = `${style}\n${JSON.stringify(extra)}\n${total}\n${totalExact}\n${nextCursor ?? ''}\n${records.length}\n${records[0]?.id ?? ''}\n${records.at(-1)?.id ?? ''}${deleted ? `\n${JSON.stringify(deleted)}` : ''}`;
  return pages.jsonOf(key, records, () => toJsonBytes(pageFields(page, style, extra)));
}

function pageFields(page: SearchPage, style: NamingStyle, extra: Record<string, unknown>) {
  const cards = new RawJsonArray(page.records.map(cardJson));
  return styled(style, {
    ...(style === 'snake' ? { agents: cards } : { agentCards: cards }),
    results: new RawJsonArray(page.records.map(resultEntries[style])),
    count: page.records.length,
    total: page.total,
    total_exact: page.totalExact,
    next_cursor: page.nextCursor ?? null,
    ...(page.deleted ? { deleted: page.deleted.map((tombstone) => presentTombstone(tombstone, style)) } : {}),
    ...extra,
  });
}

export function presentHeartbeat(id: string, result: HeartbeatResult, style: NamingStyle) {
  const answer: HeartbeatAnswer = {
    success: true,
    agent_id: id,
    status: 'active',
    revision: result.revision,
    reactivated: result.reactivated,
    expires_at: result.expiresAt?.toISOString() ?? null,
  };
  return styled(style, answer);
}

/** What a ping found, as `ping_agent` and `POST /agents/{id}/ping` answer it. */
export function presentPing(result: PingResult, style: NamingStyle) {
  const answer: PingAnswer = {
    agent_id: result.agentId,
    url: result.url,
    reachable: result.reachable,
    latency_ms: result.latencyMs,
    card_drift: result.cardDrift,
    checked_at: result.checkedAt,
    ...(result.error ? { error: result.error } : {}),
  };
  return styled(style, answer);
}
