import { randomUUID } from 'node:crypto';
import type { AgentInterface } from '../card/normalised-card.js';
import { OutboundFetchError, UrlNotAllowedError, UpstreamTimeoutError, type OutboundFailureReason } from '../outbound/outbound-errors.js';
import type { OutboundAnswer, SafeFetcher } from '../outbound/safe-fetch.js';
import type { AgentRecord } from '../store/agent-record.js';
import { cardDriftOf } from './card-drift.js';
import type { ProbeResult, ProbeStatus, TransportCheck } from '../store/probe-outcome.js';
import type { ProbeTarget } from './probe-target.js';

/** What one probe found, and how long its origin asked to be left alone (a `Retry-After`), if it did. */
export interface ProbeFinding {
  result: ProbeResult;
  retryAfterMs?: number;
}

/** Statuses that ask a client to come back later, and whose `Retry-After` the probes honour. */
const BACK_OFF_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** The longest `Retry-After` honoured: a day. A longer one is taken as a day. */
const MAX_RETRY_AFTER_MS = 86_400_000;

/** Reasons of the fetcher that mean nothing answered at all. */
const UNREACHABLE: ReadonlySet<OutboundFailureReason> = new Set<OutboundFailureReason>(['dns_failed', 'connection_failed', 'tls_failed']);

const AGENT_CARD_HEADERS = { Accept: 'application/a2a+json, application/json', 'A2A-Version': '1.0' };

/** A probe failed for a reason it names: its status and the error it keeps. */
class ProbeFailure extends Error {
  constructor(
    readonly status: ProbeStatus,
    readonly code: string,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/**
 * Probes one agent the way a client would find and call it, through the SSRF-safe fetcher (so it
 * reaches nothing register-by-URL could not): fetches its card from its origin, compares it with
 * the stored one, then checks that the preferred interface answers a well-formed A2A request with a
 * protocol-level reply, asking for a task that does not exist, so that nothing is started.
 */
export class AgentProber {
  constructor(private readonly fetcher: SafeFetcher) {}

  async probe(record: AgentRecord, target: Extract<ProbeTarget, { kind: 'probe' }>): Promise<ProbeFinding> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const served = await this.fetchCard(target.cardUrl);
      const cardDrift = cardDriftOf(JSON.parse(record.card), served);
      const transport = await this.checkTransport(target.preferred);
      const result = this.resultOf(transport.check === 'failed' ? 'degraded' : 'ok', elapsed(), transport.check, cardDrift, transport.error);
      return { result, ...(transport.retryAfterMs === undefined ? {} : { retryAfterMs: transport.retryAfterMs }) };
    } catch (error) {
      const failure = failureOf(error);
      const latencyMs = failure.status === 'blocked' ? null : elapsed();
      const result = this.resultOf(failure.status, latencyMs, 'skipped', null, { code: failure.code, message: failure.message });
      return { result, ...(failure.retryAfterMs === undefined ? {} : { retryAfterMs: failure.retryAfterMs }) };
    }
  }

  private resultOf(status: ProbeStatus, latencyMs: number | null, transport: TransportCheck, cardDrift: ProbeResult['cardDrift'], error: ProbeResult['error']): ProbeResult {
    return { status, checkedAt: new Date().toISOString(), latencyMs, transport, cardDrift, error };
  }

  private async fetchCard(url: string): Promise<unknown> {
    const answer = await this.fetcher.send(url, { method: 'GET', headers: AGENT_CARD_HEADERS });
    if (answer.status < 200 || answer.status > 299) throw httpFailure(answer, url);
    if (typeof answer.json !== 'object' || answer.json === null || Array.isArray(answer.json)) {
      throw new ProbeFailure('invalid', 'not_a_card', `${url} answered HTTP ${answer.status} without a JSON card`);
    }
    return answer.json;
  }

  /** Whether the interface answered as A2A; a failure of the check makes the probe `degraded`, not failed. */
  private async checkTransport(preferred: AgentInterface): Promise<{ check: TransportCheck; error: ProbeResult['error']; retryAfterMs?: number }> {
    const binding = preferred.binding.toUpperCase();
    if (binding !== 'JSONRPC' && binding !== 'HTTP+JSON') return { check: 'unsupported', error: null };
    try {
      const answered = binding === 'JSONRPC' ? await this.askJsonRpc(preferred) : await this.askRest(preferred);
      if (answered === true) return { check: 'ok', error: null };
      return { check: 'failed', error: { code: 'no_protocol_reply', message: answered } };
    } catch (error) {
      const failure = failureOf(error);
      return {
        check: 'failed',
        error: { code: failure.code, message: `The ${preferred.binding} interface: ${failure.message}` },
        ...(failure.retryAfterMs === undefined ? {} : { retryAfterMs: failure.retryAfterMs }),
      };
    }
  }

  /** A GetTask (`tasks/get` in 0.3) of a random id: any JSON-RPC 2.0 reply of the same id proves the server speaks it. */
  private async askJsonRpc(preferred: AgentInterface): Promise<true | string> {
    const legacy = isLegacy(preferred);
    const id = `probe-${randomUUID()}`;
    const body = JSON.stringify({ jsonrpc: '2.0', id, method: legacy ? 'tasks/get' : 'GetTask', params: { id: randomUUID() } });
    const headers = { 'Content-Type': 'application/json', Accept: 'application/json', 'A2A-Version': legacy ? '0.3' : '1.0' };
    const answer = await this.fetcher.send(preferred.url, { method: 'POST', headers, body });
    if (BACK_OFF_STATUSES.has(answer.status)) throw httpFailure(answer, preferred.url);
    const reply = answer.json as { jsonrpc?: unknown; id?: unknown; error?: { code?: unknown }; result?: unknown } | undefined;
    const isReply = reply?.jsonrpc === '2.0' && reply.id === id && (Number.isInteger(reply.error?.code) || reply.result !== undefined);
    return isReply ? true : `${preferred.url} answered HTTP ${answer.status} without a JSON-RPC reply`;
  }

  /** A GET of a task that does not exist: an A2A REST server answers a structured 404. */
  private async askRest(preferred: AgentInterface): Promise<true | string> {
    const base = preferred.url.replace(/\/+$/, '');
    const url = `${base}${isLegacy(preferred) ? '/v1' : ''}/tasks/${randomUUID()}`;
    const answer = await this.fetcher.send(url, { method: 'GET', headers: { Accept: 'application/json', 'A2A-Version': isLegacy(preferred) ? '0.3' : '1.0' } });
    if (BACK_OFF_STATUSES.has(answer.status)) throw httpFailure(answer, url);
    const structured = typeof answer.json === 'object' && answer.json !== null;
    return answer.status === 404 && structured ? true : `${url} answered HTTP ${answer.status}${structured ? '' : ' without a JSON error'}, not a 404 JSON error`;
  }
}

/** Interfaces of A2A 0.3, whose method names and REST paths differ from 1.0's. */
const isLegacy = (preferred: AgentInterface): boolean => preferred.protocolVersion?.startsWith('0.') === true;

function httpFailure(answer: OutboundAnswer, url: string): ProbeFailure {
  const retryAfterMs = BACK_OFF_STATUSES.has(answer.status) ? retryAfterOf(answer.retryAfter) : undefined;
  return new ProbeFailure('refused', `http_${answer.status}`, `${url} answered HTTP ${answer.status}`, retryAfterMs);
}

/** A `Retry-After` (seconds, or an HTTP date) in milliseconds from now, capped; undefined when absent or unreadable. */
export function retryAfterOf(header: string | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS) : undefined;
}

function failureOf(error: unknown): ProbeFailure {
  if (error instanceof ProbeFailure) return error;
  if (!(error instanceof OutboundFetchError)) throw error;
  if (error instanceof UrlNotAllowedError) return new ProbeFailure('blocked', error.reason, error.message);
  if (error instanceof UpstreamTimeoutError) return new ProbeFailure('timeout', error.reason, error.message);
  return new ProbeFailure(UNREACHABLE.has(error.reason) ? 'unreachable' : 'invalid', error.reason, error.message);
}
