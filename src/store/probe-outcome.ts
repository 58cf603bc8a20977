/**
 * What one probe of an agent found, as records show it. Kept small: a store keeps the status in a
 * field of its own (it is what the index and the change log follow) and the rest as one short value.
 */

/**
 * `ok`: the card came from its origin and the preferred interface answered a protocol-level reply
 * (or its transport is one the probe cannot check, gRPC); `degraded`: the card came but the
 * interface did not answer as A2A; `unreachable`: no connection (DNS, refused, reset);
 * `refused`: the origin answered an HTTP error (403, 429, 503, ...); `invalid`: it answered
 * something that is not a card; `timeout`: it did not answer within the probe timeout;
 * `blocked`: the outbound address policy refuses the URL, so nothing was sent; `opted_out`: the
 * card asks not to be probed, so nothing was sent.
 */
export const PROBE_STATUSES = ['ok', 'degraded', 'unreachable', 'refused', 'invalid', 'timeout', 'blocked', 'opted_out'] as const;
export type ProbeStatus = (typeof PROBE_STATUSES)[number];

/** How the preferred interface answered the transport check. */
export type TransportCheck = 'ok' | 'failed' | 'unsupported' | 'skipped';

/** The fields of the stored card that differ from the one the origin serves now (entries capped). */
export interface CardDrift {
  /** Top-level fields, and skills as `skills[id]`, the served card has and the stored one lacks. */
  added: string[];
  removed: string[];
  changed: string[];
  /** Set when more fields differ than the lists hold. */
  truncated: boolean;
}

export interface ProbeResult {
  status: ProbeStatus;
  /** When the probe finished (ISO time). */
  checkedAt: string;
  /** Milliseconds from the first request to the last answer; null when nothing was sent. */
  latencyMs: number | null;
  transport: TransportCheck;
  /** How the served card differs from the stored one; null when they agree or none was fetched. */
  cardDrift: CardDrift | null;
  /** Why the probe did not find the agent `ok`: a stable code and a short message. */
  error: { code: string; message: string } | null;
}

/** The probe's term of the search index: `probe:ok`, ... (the Redis scripts build the same, `lua/lib/agent-ids.lua`). */
export const probeTerm = (status: ProbeStatus): string => `probe:${status}`;

/** A result as a store keeps it beside the status: `[checkedAtMs, latencyMs, failures, transport, drift, error]`. */
type StoredDetail = [number, number | null, number, TransportCheck, CardDrift | null, ProbeResult['error']];

/** A probe's outcome with the count of failures in a row that the schedule backs off by. */
export interface ProbeOutcome {
  result: ProbeResult;
  /** Probes in a row that did not find the agent `ok` (0 after an `ok`). */
  failures: number;
}

export function encodeProbeDetail({ result, failures }: ProbeOutcome): string {
  const detail: StoredDetail = [Date.parse(result.checkedAt), result.latencyMs, failures, result.transport, result.cardDrift, result.error];
  return JSON.stringify(detail);
}

/** The stored status and detail as a result; undefined when the agent was never probed (or the detail is unreadable). */
export function decodeProbe(status: string | null | undefined, detail: string | null | undefined): ProbeOutcome | undefined {
  if (!status || !detail || !(PROBE_STATUSES as readonly string[]).includes(status)) return undefined;
  try {
    const [checkedAt, latencyMs, failures, transport, cardDrift, error] = JSON.parse(detail) as StoredDetail;
    return { result: { status: status as ProbeStatus, checkedAt: new Date(checkedAt).toISOString(), latencyMs, transport, cardDrift, error }, failures };
  } catch {
    return undefined;
  }
}
