import type { CatalogIngestService } from '../catalog-ingest/catalog-ingest-service.js';
import { totalsOf } from '../catalog-ingest/ingest-report.js';
import type { Logger } from '../logger.js';

/** Catalogs read per batch; a run repeats batches until no catalog it has not read is due. */
const CATALOG_BATCH = 10;

/** What one run of the catalog refresh did, for the log (names apart from the card refresh's). */
export interface CatalogRefreshOutcome extends Record<string, number> {
  catalogsRead: number;
  catalogsFailed: number;
  catalogEntriesChanged: number;
  catalogEntriesDeprecated: number;
  catalogEntriesReactivated: number;
  catalogEntriesDeleted: number;
}

/**
 * Reads every due ingested AI Catalog again (in the card refresh's job, on its schedule), one
 * catalog at a time with its entries in the ingest's lanes, and keeps the registry's agents in step
 * with it. A catalog that cannot be read keeps its agents as they are and is read again next time.
 */
export class CatalogRefresher {
  constructor(
    private readonly catalogs: CatalogIngestService,
    private readonly logger: Logger,
  ) {}

  async run(now = new Date()): Promise<CatalogRefreshOutcome> {
    const outcome: CatalogRefreshOutcome = {
      catalogsRead: 0,
      catalogsFailed: 0,
      catalogEntriesChanged: 0,
      catalogEntriesDeprecated: 0,
      catalogEntriesReactivated: 0,
      catalogEntriesDeleted: 0,
    };
    const read = new Set<string>();
    for (;;) {
      const due = (await this.catalogs.due(now, CATALOG_BATCH)).filter((catalog) => !read.has(catalog.key));
      if (due.length === 0) break;
      for (const catalog of due) {
        read.add(catalog.key);
        try {
          const report = await this.catalogs.refresh(catalog, now);
          const totals = totalsOf(report);
          outcome.catalogsRead++;
          outcome.catalogEntriesChanged += totals.registered + totals.updated;
          outcome.catalogEntriesDeprecated += report.sync.deprecated;
          outcome.catalogEntriesReactivated += report.sync.reactivated;
          outcome.catalogEntriesDeleted += report.sync.deleted;
        } catch (error) {
          outcome.catalogsFailed++;
          this.logger.warn({ err: error, url: catalog.url }, 'Catalog refresh failed; trying again next time');
        }
      }
    }
    if (outcome.catalogsRead + outcome.catalogsFailed > 0) this.logger.info(outcome, 'Catalog refresh done');
    return outcome;
  }
}
