import type { ChangeKind, ProbeStatus, SignatureStatus } from './wire-types.js';

/** What a listing or a search asks for; every filter must hold. */
export interface SearchCriteria {
  /** Free text: every word must match (a word of 3 to 10 letters also matches the words it begins). @defaultValue none */
  query?: string;
  /** Skill ids, all of which the card must have. @defaultValue none */
  skills?: string[];
  /** Skill tags, all of which the card must have. @defaultValue none */
  tags?: string[];
  /** Input media types, such as `text/plain`. @defaultValue none */
  inputModes?: string[];
  /** Output media types. @defaultValue none */
  outputModes?: string[];
  /** Protocol bindings, such as `JSONRPC`. @defaultValue none */
  bindings?: string[];
  /** Provider organisations. @defaultValue none */
  providers?: string[];
  /** Extension URIs. @defaultValue none */
  extensions?: string[];
  /** Only cards whose signatures are in this state. @defaultValue any */
  signatureStatus?: SignatureStatus;
  /** Only agents whose last probe found this status (`ok`: they answered). @defaultValue any */
  probeStatus?: ProbeStatus;
  /** Only agents that do (true) or do not (false) stream. @defaultValue either */
  streaming?: boolean;
  /** Only agents that do (true) or do not (false) send push notifications. @defaultValue either */
  pushNotifications?: boolean;
  /** Also show agents whose heartbeats stopped. @defaultValue false */
  includeInactive?: boolean;
  /** Page size, 1 to 200. @defaultValue 50 (the registry's) */
  limit?: number;
  /** A page's `next_cursor`, to read the page after it. @defaultValue the first page */
  cursor?: string;
}

/** The criteria in the registry's parameter names, without the ones left out. */
export function searchParameters(criteria: SearchCriteria): Record<string, string | number | boolean | string[]> {
  const named: Record<string, string | number | boolean | string[] | undefined> = {
    query: criteria.query,
    skills: criteria.skills,
    tags: criteria.tags,
    input_modes: criteria.inputModes,
    output_modes: criteria.outputModes,
    bindings: criteria.bindings,
    providers: criteria.providers,
    extensions: criteria.extensions,
    signature_status: criteria.signatureStatus,
    probe_status: criteria.probeStatus,
    streaming: criteria.streaming,
    push_notifications: criteria.pushNotifications,
    include_inactive: criteria.includeInactive,
    limit: criteria.limit,
    cursor: criteria.cursor,
  };
  return Object.fromEntries(Object.entries(named).filter(([, value]) => value !== undefined && !(Array.isArray(value) && value.length === 0))) as Record<
    string,
    string | number | boolean | string[]
  >;
}

/** Which change log events to read. */
export interface ChangesQuery {
  /** Start strictly after this cursor. @defaultValue the oldest event kept */
  since?: string;
  /** Events per page, 1 to 500. @defaultValue 100 (the registry's) */
  limit?: number;
  /** Only events of these kinds. @defaultValue every kind */
  kinds?: ChangeKind[];
  /** Only events of this agent, or of these. @defaultValue every agent */
  agentId?: string | string[];
  /** Attach the card to events that wrote one, while it is still current. @defaultValue true */
  includeCard?: boolean;
}

/** A query string of parameters, lists repeated (`skills=a&skills=b`), with its `?`; empty when there are none. */
export function queryString(params: Record<string, string | number | boolean | string[] | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(name, String(item));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** The change log parameters of a query (the `since` of the stream travels as `Last-Event-ID` instead). */
export function changeParameters(query: Omit<ChangesQuery, 'since' | 'limit'>) {
  const agentIds = query.agentId === undefined ? undefined : [query.agentId].flat();
  return {
    ...(query.kinds?.length ? { kind: query.kinds.join(',') } : {}),
    ...(agentIds?.length ? { agent_id: agentIds.join(',') } : {}),
    ...(query.includeCard !== undefined ? { include_card: query.includeCard } : {}),
  };
}

/** An `If-Match` value: a revision as its entity tag, or `*` for whatever revision is current. */
export const ifMatch = (revision: number | '*'): string => (revision === '*' ? '*' : `"${revision}"`);
