import type { AgentService } from '../agents/agent-service.js';
import type { CatalogAnswer, CatalogIngester } from '../agents/register-from-url.js';
import type { FetchedJson } from '../outbound/safe-fetch.js';
import type { Actor } from '../store/agent-record.js';
import type { CatalogSourceStore, IngestedCatalog } from '../store/catalog-sources.js';
import { asCatalog, type CatalogDocument } from './catalog-document.js';
import { presentIngest } from './catalog-presenter.js';
import type { CatalogIngest } from './catalog-ingest.js';
import type { CatalogSync } from './catalog-sync.js';
import type { IngestReport } from './ingest-report.js';

export interface CatalogServiceOptions {
  /** How long a caller's ingest may go on starting entries, in ms; the rest is left to the worker. @defaultValue 20000 (`CATALOG_INGEST_DEADLINE_SECONDS`) */
  requestDeadlineMs: number;
  /** How often the worker reads a remembered catalog again, in ms: the card refresh interval. */
  refreshIntervalMs: number;
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
    const report = await this.reader.ingest(url, document, { actor, deadline, ...(ttlSeconds !== undefined ? { ttlSeconds } : {}) }, finalUrl);
    const catalog = await this.sources.remember(url, actor.id, report.complete ? this.agents.nextRefresh() : new Date());
    return this.synced(catalog, report, new Date());
  }

  /** Reads a remembered catalog again, as the worker does when it is due; the next read is scheduled first. */
  async refresh(catalog: IngestedCatalog, now: Date): Promise<IngestReport> {
    await this.sources.schedule(catalog.key, new Date(now.getTime() + this.options.refreshIntervalMs));
    const report = await this.reader.read(catalog.url, { actor: { id: catalog.owner, admin: false } });
    return this.synced(catalog, report, now);
  }

  /** Up to `limit` remembered catalogs due to be read again by `now`. */
  due(now: Date, limit: number): Promise<IngestedCatalog[]> {
    return this.sources.due(now, limit);
  }

  private async synced(catalog: IngestedCatalog, report: IngestReport, now: Date): Promise<IngestReport> {
    return { ...report, sync: await this.sync.sync(catalog, report, now) };
  }
}
