import { isDeepStrictEqual } from 'node:util';
import { OutboundFetchError } from '../outbound/outbound-errors.js';
import type { SafeFetcher } from '../outbound/safe-fetch.js';
import type { AgentService } from './agent-service.js';

/** What a ping found: whether the agent's card could be fetched, how long it took, and whether it differs from the stored one. */
export interface PingResult {
  agentId: string;
  /** The URL asked: where the card was registered from, or the first interface URL of the stored card. */
  url: string | null;
  /** A usable card came back. */
  reachable: boolean;
  /** Milliseconds the fetch took, whatever its outcome; null when nothing was fetched. */
  latencyMs: number | null;
  /** Whether the fetched card differs from the stored one in any field (null when none was fetched). */
  cardDrift: boolean | null;
  checkedAt: string;
  /** Why the card could not be fetched: the fetcher's stable code and reason. */
  error?: { code: string; reason: string; message: string };
}

/**
 * Checks an agent's liveness the way a client would: fetches its card through the SSRF-safe
 * fetcher (so a ping reaches nothing register-by-URL could not) and compares it with the stored
 * one. Changes nothing; the card refresher is what takes a changed card in.
 */
export class AgentPinger {
  constructor(
    private readonly agents: AgentService,
    private readonly fetcher: SafeFetcher,
  ) {}

  async ping(id: string): Promise<PingResult> {
    const record = await this.agents.get(id);
    const url = record.sourceUrl ?? record.summary.url ?? null;
    const checkedAt = new Date().toISOString();
    const base = { agentId: id, url, checkedAt };
    if (url === null) {
      const error = { code: 'no_url', reason: 'no_url', message: 'The stored card names no URL to fetch it from' };
      return { ...base, reachable: false, latencyMs: null, cardDrift: null, error };
    }
    const started = performance.now();
    const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
    try {
      // A card registered from a URL is fetched from exactly there; another from its interface's origin.
      const fetched = record.sourceUrl ? await this.fetcher.fetchJson(url) : await this.fetcher.fetchAgentCard(url);
      const latencyMs = elapsed();
      return { ...base, reachable: true, latencyMs, cardDrift: !isDeepStrictEqual(fetched.json, JSON.parse(record.card)) };
    } catch (error) {
      if (!(error instanceof OutboundFetchError)) throw error;
      const latencyMs = elapsed();
      return { ...base, reachable: false, latencyMs, cardDrift: null, error: { code: error.code, reason: error.reason, message: error.message } };
    }
  }
}
