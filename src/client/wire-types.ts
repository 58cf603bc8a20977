// The registry's JSON as it travels, written out here so that the client needs nothing of the
// server (Express, ioredis) to be used. Field names are the REST API's, snake_case.

/** Any JSON value, as a card holds them. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** An A2A agent card (0.3 or 1.0), as registered. */
export type AgentCard = { [key: string]: Json };

export type AgentStatus = 'active' | 'inactive';

export type SignatureStatus = 'verified' | 'invalid' | 'unsigned';

/** What the registry's last probe of an agent found (docs/probes.md). */
export type ProbeStatus = 'ok' | 'degraded' | 'unreachable' | 'refused' | 'invalid' | 'timeout' | 'blocked' | 'opted_out';

/** The registry's last probe of an agent. */
export interface Probe {
  status: ProbeStatus;
  checked_at: string;
  latency_ms: number | null;
  transport: 'ok' | 'failed' | 'unsupported' | 'skipped';
  card_drift: { added: string[]; removed: string[]; changed: string[]; truncated: boolean } | null;
  error: { code: string; message: string } | null;
}

/** The kinds of change the change log records. */
export type ChangeKind =
  | 'registered'
  | 'updated'
  | 'refreshed'
  | 'deleted'
  | 'expired'
  | 'reactivated'
  | 'purged'
  | 'owner_changed'
  | 'domain_verified'
  | 'domain_unverified'
  | 'probe_changed';

/** A move of an agent to the principal that proved its domain. */
export interface OwnerChange {
  from: string;
  to: string;
  at: string;
  reason: string;
}

/** The registry data of an agent, as every record, write answer and search result carries it. */
export interface RecordFields {
  agent_id: string;
  revision: number;
  /** The revision as an entity tag, `"7"`. */
  etag: string;
  status: AgentStatus;
  heartbeat_ttl_seconds?: number;
  /** `a2a-1.0` or `a2a-0.3`. */
  format: string;
  signature_status: SignatureStatus;
  signature_form?: string;
  signature_error?: { code: string; message: string };
  /** Where the card was fetched from, for agents registered by URL. */
  source_url?: string;
  /** The publisher's `urn:air` identifier, for agents ingested from an AI Catalog entry. */
  air_identifier?: string;
  previous_revision?: number;
  domain_verified?: boolean;
  owner_changes?: OwnerChange[];
  created_at: string;
  updated_at: string;
}

/** `GET /agents/{id}`: an agent with its card as registered. */
export interface AgentRecord extends RecordFields {
  found: true;
  agent_card: AgentCard;
  /** What the registry's last probe found, when it probes agents. */
  probe?: Probe;
}

/** What a registration or update answers. */
export interface SavedAgent extends RecordFields {
  success: true;
  /** Whether this write created the agent. */
  created: boolean;
  message: string;
}

export interface DeletedAgent {
  success: true;
  agent_id: string;
  /** The revision the removal took. */
  revision: number;
  message: string;
}

export interface HeartbeatResult {
  success: true;
  agent_id: string;
  status: 'active';
  revision: number;
  /** Whether the heartbeat revived an inactive agent. */
  reactivated: boolean;
  /** When the agent turns inactive without another heartbeat; null when it has no TTL. */
  expires_at: string | null;
}

/** One agent of a page: its registry data, name and description. */
export interface SearchResult extends RecordFields {
  name: string;
  description: string;
  url?: string;
  probe_status?: ProbeStatus;
}

/** A page of a listing or a search. */
export interface AgentPage {
  /** The cards as registered, in the order of `results`. */
  agents: AgentCard[];
  results: SearchResult[];
  /** Agents on this page. */
  count: number;
  /** Matches in all pages: exact when `total_exact`, else an estimate. */
  total: number;
  total_exact: boolean;
  /** Where the next page starts; null on the last page. */
  next_cursor: string | null;
  query: string | null;
  /** On plain listings: the change log cursor to follow from after reading every page. */
  change_cursor?: string;
}

/** One event of the change log. */
export interface ChangeEvent {
  /** Its place in the log: `since` or `Last-Event-ID` to go on after it. */
  cursor: string;
  agent_id: string;
  kind: ChangeKind;
  /** The agent's revision after the change. */
  revision: number;
  at: string;
  summary?: { name: string; description: string; format: string; url: string | null; signature_status: SignatureStatus };
  /** The card the event wrote, while it is still the agent's current card. */
  agent_card?: AgentCard;
  /** Set instead of `agent_card` when a later change replaced the card. */
  card_superseded?: true;
  /** On `probe_changed`: the status found, and the one before (absent on the first probe). */
  probe_status?: ProbeStatus;
  previous_probe_status?: ProbeStatus;
}

export interface ChangePage {
  changes: ChangeEvent[];
  count: number;
  /** Where to go on from; when `has_more` is false, where to ask again later. */
  next_cursor: string;
  has_more: boolean;
}

/** One field the registry refused, and why. */
export interface Violation {
  path: string;
  message: string;
}

/** The body of every error answer. */
export interface ErrorBody {
  error: { code: string; message: string; violations?: Violation[]; details?: Record<string, Json> };
}
