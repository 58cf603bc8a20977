import { agentIdForAirIdentifier } from '../agents/air-identifier.js';
import type { AgentService } from '../agents/agent-service.js';
import { AppError, UnavailableError, ValidationError } from '../errors.js';
import type { SafeFetcher } from '../outbound/safe-fetch.js';
import type { Actor } from '../store/agent-record.js';
import type { AgentStore } from '../store/agent-store.js';
import { mayChange } from '../store/store-outcome.js';
import type { CatalogEntry } from './catalog-document.js';
import type { EntryReport } from './ingest-report.js';

/** Who an ingest registers for, and the liveness its agents get. */
export interface IngestRun {
  actor: Actor;
  /** Liveness TTL of the entries' agents; absent: each agent's current one, or the registry's default. */
  ttlSeconds?: number;
  /** When the ingest stops starting entries (Unix ms); absent: no deadline but the entry budget. */
  deadline?: number;
}

/** What registering an entry needs. */
export interface EntryRegistrar {
  store: AgentStore;
  agents: AgentService;
  fetcher: SafeFetcher;
}

/**
 * Registers one A2A entry through the agent service (validation, signatures, ownership, domain
 * proof), under `agentIdForAirIdentifier(identifier)` with the identifier kept exactly. A card
 * that its agent already holds byte for byte is left alone. Its own failures are reported on the
 * entry; a store that does not answer fails the whole ingest.
 */
export async function registerEntry(deps: EntryRegistrar, entry: CatalogEntry, catalogUrl: string, run: IngestRun): Promise<EntryReport> {
  const agentId = agentIdForAirIdentifier(entry.identifier);
  const report = { identifier: entry.identifier, agentId, catalogUrl };
  const location = entry.url === undefined ? undefined : resolvedUrl(entry.url, catalogUrl);
  if (entry.url !== undefined && location === undefined) {
    return { ...report, outcome: 'failed', error: { code: 'invalid_entry', message: `url ${JSON.stringify(entry.url)} is not a URL` } };
  }
  try {
    const { text, json } = location === undefined ? { text: JSON.stringify(entry.data), json: entry.data } : await deps.fetcher.fetchCardAt(location);
    const current = await deps.store.get(agentId);
    const same = current && current.card === text && current.airIdentifier === entry.identifier;
    if (same && mayChange(current.owner, run.actor) && (run.ttlSeconds === undefined || run.ttlSeconds === current.ttlSeconds)) {
      return { ...report, outcome: 'unchanged' };
    }
    const { created } = await deps.agents.register({
      card: json,
      cardJson: text,
      id: agentId,
      actor: run.actor,
      airIdentifier: entry.identifier,
      ...(run.ttlSeconds !== undefined ? { ttlSeconds: run.ttlSeconds } : {}),
    });
    return { ...report, outcome: created ? 'registered' : 'updated' };
  } catch (error) {
    if (!(error instanceof AppError) || error instanceof UnavailableError) throw error;
    return { ...report, outcome: 'failed', error: { code: error.code, message: messageOf(error) } };
  }
}

/** An error's message, with the rules a card broke when it failed validation. */
function messageOf(error: AppError): string {
  if (!(error instanceof ValidationError) || error.violations.length === 0) return error.message;
  return `${error.message}: ${error.violations.map((violation) => `${violation.path}: ${violation.message}`).join('; ')}`;
}

/** `url` read against the catalog's URL (entries may name their document relative to it); undefined when it is no URL. */
export function resolvedUrl(url: string, base: string): string | undefined {
  try {
    return new URL(url, base).href;
  } catch {
    return undefined;
  }
}
