import type { AgentService } from '../agents/agent-service.js';
import type { CatalogAnswer, CatalogIngester } from '../agents/register-from-url.js';
import { CatalogSignatureInvalidError } from '../errors.js';
import type { CatalogMetrics } from '../metrics/metrics.js';
import type { FetchedJson } from '../outbound/safe-fetch.js';
import type { Actor } from '../store/agent-record.js';
import type { CatalogSourceStore, IngestedCatalog } from '../store/catalog-sources.js';
import { asCatalog, type CatalogDocument } from './catalog-document.js';
import { presentIngest } from './catalog-presenter.js';
import type { CatalogIngest } from './catalog-ingest.js';
import type { CatalogSync } from './catalog-sync.js';
import { totalsOf, type IngestReport, type SyncOutcome } from './ingest-report.js';

export interface CatalogServiceOptions {
  /** How long a caller's ingest may go on starting entries, in ms; the rest is left to the worker. @defaultValue 20000 (`CATALOG_INGEST_DEADLINE_SECONDS`) */
  requestDeadlineMs: number;
  /** How often the worker reads a remembered catalog again, in ms: the card refresh interval. */
  refreshIntervalMs: number;
  /** Where reads, entries and sync actions are counted. @defaultValue none: nothing is counted */
  metrics?: CatalogMetrics;
}

/**
 * Ingests of AI Catalogs: a caller's, within the request's deadline, and the worker's reads again
 * on the card refresh schedule. Each read is remembered with the catalog and followed by the sync
 * of its entries; a caller's read that stopped early has the worker read the catalog again at once.
 */
export class CatalogIngestService implements CatalogIngester {
  constructor(
    private readonly reader: CatalogIngest,
    private readonly sync: CatalogSync,
    private readonly sources: CatalogSourceStore,
    private readonly agents: AgentService,
    private readonly options: CatalogServiceOptions,
  ) {}

  catalogIn(fetched: FetchedJson, url: string): CatalogDocument | undefined {
    return asCatalog(fetched.json, fetched.contentType, url);
  }

  async ingest(url: string, catalog: CatalogDocument, actor: Actor, options: { finalUrl: string; ttlSeconds?: number }): Promise<CatalogAnswer> {
    const report = await this.ingestFetched(url, catalog, actor, options.ttlSeconds, options.finalUrl);
    return (style) => presentIngest(report, style);
  }

  /** Ingests `document`, fetched from `url` (`finalUrl` after redirects) for `actor`. */
  async ingestFetched(url: string, document: CatalogDocument, actor: Actor, ttlSeconds?: number, finalUrl = url): Promise<IngestReport> {
    const deadline = Date.now() + this.options.requestDeadlineMs;
    const report = await this.counted(this.reader.ingest(url, document, { actor, deadline, ...(ttlSeconds !== undefined ? { ttlSeconds } : {}) }, finalUrl));
    const catalog = await this.sources.remember(url, actor.id, report.complete ? this.agents.nextRefresh() : new Date());
    return this.synced(catalog, report, new Date());
  }

  /**
   * Reads a remembered catalog again, as the worker does when it is due; the next read is scheduled
   * first. A read that fails is remembered as failed, with what the last one found missing.
   */
  async refresh(catalog: IngestedCatalog, now: Date): Promise<IngestReport> {
    await this.sources.schedule(catalog.key, new Date(now.getTime() + this.options.refreshIntervalMs));
    try {
      const report = await this.counted(this.reader.read(catalog.url, { actor: { id: catalog.owner, admin: false } }));
      return await this.synced(catalog, report, now);
    } catch (error) {
      const missing = (await this.sources.state(catalog.key))?.lastRead?.missing;
      const refused = error instanceof CatalogSignatureInvalidError;
      await this.sources.recordRead(catalog.key, { at: now.getTime(), result: 'failed', ...(refused ? { signatureStatus: 'invalid' } : {}), ...(missing ? { missing } : {}) });
      throw error;
    }
  }

  /** Up to `limit` remembered catalogs due to be read again by `now`. */
  due(now: Date, limit: number): Promise<IngestedCatalog[]> {
    return this.sources.due(now, limit);
  }

  /** The report of a read, counted: its result and each entry's outcome. */
  private async counted(read: Promise<IngestReport>): Promise<IngestReport> {
    const metrics = this.options.metrics;
    try {
      const report = await read;
      metrics?.catalogReads.inc({ result: report.complete ? 'ok' : 'incomplete' });
      if (metrics) for (const [outcome, count] of Object.entries(totalsOf(report))) if (outcome !== 'entries' && count > 0) metrics.catalogEntries.inc({ outcome }, count);
      return report;
    } catch (error) {
      metrics?.catalogReads.inc({ result: 'failed' });
      throw error;
    }
  }

  private async synced(catalog: IngestedCatalog, report: IngestReport, now: Date): Promise<IngestReport> {
    const { outcome, missing } = await this.sync.sync(catalog, report, now);
    await this.sources.recordRead(catalog.key, { at: now.getTime(), result: report.complete ? 'ok' : 'incomplete', signatureStatus: report.signatureStatus, missing });
    this.countSync(outcome);
    return { ...report, sync: outcome };
  }

  private countSync(outcome: SyncOutcome): void {
    for (const action of ['deprecated', 'deleted', 'reactivated'] as const) {
      if (outcome[action] > 0) this.options.metrics?.catalogSyncActions.inc({ action }, outcome[action]);
    }
  }
}
