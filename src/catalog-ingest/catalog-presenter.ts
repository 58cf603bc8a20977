import type { NamingStyle } from '../agents/agent-presenter.js';
import { totalsOf, type EntryReport, type IngestReport } from './ingest-report.js';

/** One entry of an ingest's answer. */
function presentEntry(entry: EntryReport, style: NamingStyle): Record<string, unknown> {
  const snake = style === 'snake';
  return {
    identifier: entry.identifier,
    [snake ? 'agent_id' : 'agentId']: entry.agentId,
    outcome: entry.outcome,
    [snake ? 'catalog_url' : 'catalogUrl']: entry.catalogUrl,
    error: entry.error,
  };
}

/**
 * The answer of register-by-URL for a catalog: every entry with its outcome, the totals, whether
 * the read was complete (and why not), and what the sync of the registry's agents did.
 */
export function presentIngest(report: IngestReport, style: NamingStyle): Record<string, unknown> {
  const snake = style === 'snake';
  return {
    kind: 'catalog',
    [snake ? 'catalog_url' : 'catalogUrl']: report.catalogUrl,
    complete: report.complete,
    stopped: report.stopped,
    catalogs: report.catalogs,
    [snake ? 'signature_status' : 'signatureStatus']: report.signatureStatus,
    totals: totalsOf(report),
    sync: report.sync,
    entries: report.entries.map((entry) => presentEntry(entry, style)),
  };
}
