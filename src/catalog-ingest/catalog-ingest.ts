import { AppError, CatalogSignatureInvalidError, InvalidCatalogError, UnavailableError } from '../errors.js';
import type { SafeFetcher } from '../outbound/safe-fetch.js';
import type { SignaturePolicy } from '../signatures/signature-policy.js';
import {
  A2A_CARD_ENTRY_TYPE,
  AI_CATALOG_MEDIA_TYPE,
  asCatalog,
  MAX_CATALOG_NESTING,
  readEntry,
  type CatalogDocument,
  type CatalogEntry,
} from './catalog-document.js';
import { registerEntry, resolvedUrl, type EntryRegistrar, type IngestRun } from './entry-registration.js';
import type { EntryReport, IngestReport, IngestStop } from './ingest-report.js';

/** Limits of one ingest. */
export interface CatalogIngestOptions {
  /** Entries registered (and their cards fetched) at once. @defaultValue 8 (`CATALOG_INGEST_CONCURRENCY`) */
  concurrency: number;
  /** Most entries one ingest reads, over the catalog and every nested one. @defaultValue 5000 (`CATALOG_INGEST_MAX_ENTRIES`) */
  maxEntries: number;
}

/** A catalog waiting to be read: where it is (or its inline document), and how deep it is nested. */
interface PendingCatalog {
  /** Its URL; an inline catalog's entries are reported as listed in the catalog that holds it. */
  url: string;
  document?: CatalogDocument;
  depth: number;
  /** The entry that nests it and the catalog that lists that entry, to report its failures on. */
  nestedBy?: { entry: CatalogEntry; catalogUrl: string };
}

/** The state of one ingest: what it read, what it reported, and whether it must stop. */
class Walk {
  readonly reports: { order: number; report: EntryReport }[] = [];
  /** Catalog URLs read or queued, so that a catalog that links back is not read again. */
  readonly visited = new Set<string>();
  /** Identifiers met, so that an identifier listed twice registers once. */
  readonly identifiers = new Set<string>();
  readonly pending: PendingCatalog[] = [];
  /** Entries taken from the budget. */
  private read = 0;
  /** Places in the report handed out, in reading order. */
  private order = 0;
  catalogs = 0;
  complete = true;
  stopped?: IngestStop;

  constructor(
    readonly run: IngestRun,
    private readonly maxEntries: number,
  ) {}

  /** Whether the walk may start more work: not once it stopped, nor past its deadline. */
  mayGoOn(): boolean {
    if (!this.stopped && this.run.deadline !== undefined && Date.now() >= this.run.deadline) this.stop('deadline');
    return !this.stopped;
  }

  /** Takes the next entry's place in the budget and the report, or says there is none. */
  nextEntry(): number | undefined {
    if (!this.mayGoOn()) return undefined;
    if (this.read >= this.maxEntries) {
      this.stop('entry_budget');
      return undefined;
    }
    this.read++;
    return this.order++;
  }

  /** Reports `report` at `order` (from {@link nextEntry}), or next in reading order. */
  add(report: EntryReport, order = this.order++): void {
    this.reports.push({ order, report });
  }

  private stop(reason: IngestStop): void {
    this.stopped = reason;
    this.complete = false;
  }
}

/**
 * Reads an AI Catalog and the catalogs nested in it (to {@link MAX_CATALOG_NESTING}, each once),
 * registering every A2A entry for the caller. One catalog document is held at a time; its entries
 * go through `concurrency` lanes, so at most that many fetched cards are held at once.
 */
export class CatalogIngest {
  constructor(
    private readonly registrar: EntryRegistrar,
    private readonly fetcher: SafeFetcher,
    private readonly options: CatalogIngestOptions,
    private readonly signatures: Pick<SignaturePolicy, 'checkCatalog' | 'requireSigned'>,
  ) {}

  /** Fetches the catalog at `url` and ingests it; a document that is not a catalog is an {@link InvalidCatalogError}. */
  async read(url: string, run: IngestRun): Promise<IngestReport> {
    const { document, finalUrl } = await this.fetchCatalog(url);
    return this.ingest(url, document, run, finalUrl);
  }

  private async fetchCatalog(url: string): Promise<{ document: CatalogDocument; finalUrl: string }> {
    const fetched = await this.fetcher.fetchCatalogAt(url);
    const document = asCatalog(fetched.json, fetched.contentType, url);
    if (!document) throw new InvalidCatalogError(`${url} is not an AI Catalog (it has no specVersion and entries)`, url);
    return { document, finalUrl: fetched.url };
  }

  /** Ingests `document`, the catalog fetched from `url` (`finalUrl` after redirects). */
  async ingest(url: string, document: CatalogDocument, run: IngestRun, finalUrl = url): Promise<IngestReport> {
    const signatureStatus = await this.signatures.checkCatalog(document, finalUrl);
    // An unsigned catalog is still read (most are): its cards' own signatures are checked entry by entry.
    if (signatureStatus === 'invalid' && this.signatures.requireSigned) throw new CatalogSignatureInvalidError(finalUrl);
    const walk = new Walk(run, this.options.maxEntries);
    walk.visited.add(withoutFragment(url)).add(withoutFragment(finalUrl));
    walk.pending.push({ url, document, depth: 0 });
    for (let next = walk.pending.shift(); next && walk.mayGoOn(); next = walk.pending.shift()) {
      const read = await this.open(next, walk);
      if (read) await this.walkEntries(read, next, walk);
    }
    walk.reports.sort((a, b) => a.order - b.order);
    return {
      catalogUrl: url,
      entries: walk.reports.map(({ report }) => report),
      catalogs: walk.catalogs,
      complete: walk.complete,
      ...(walk.stopped ? { stopped: walk.stopped } : {}),
      signatureStatus,
      sync: { deprecated: 0, reactivated: 0, deleted: 0 },
    };
  }

  /** The document of a pending catalog; a nested one that cannot be read is reported on its entry. */
  private async open(pending: PendingCatalog, walk: Walk): Promise<CatalogDocument | undefined> {
    if (pending.document) {
      walk.catalogs++;
      return pending.document;
    }
    try {
      const { document, finalUrl } = await this.fetchCatalog(pending.url);
      walk.visited.add(withoutFragment(finalUrl));
      walk.catalogs++;
      return document;
    } catch (error) {
      if (!(error instanceof AppError) || error instanceof UnavailableError) throw error;
      // Its entries are unknown: none of the registry's may be taken for removed.
      walk.complete = false;
      walk.add(nestedReport(pending, 'failed', error.code, error.message));
      return undefined;
    }
  }

  private async walkEntries(document: CatalogDocument, catalog: PendingCatalog, walk: Walk): Promise<void> {
    let next = 0;
    const lane = async () => {
      while (next < document.entries.length) {
        const order = walk.nextEntry();
        if (order === undefined) return;
        const index = next++;
        const report = await this.entry(document.entries[index], index, catalog, walk);
        if (report) walk.add(report, order);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, document.entries.length) }, lane));
  }

  /** Registers, skips or queues one entry; undefined for a nested catalog queued to be read. */
  private async entry(raw: unknown, index: number, catalog: PendingCatalog, walk: Walk): Promise<EntryReport | undefined> {
    const read = readEntry(raw, index);
    if (!read.ok) {
      return { ...(read.identifier ? { identifier: read.identifier } : {}), outcome: 'failed', catalogUrl: catalog.url, error: { code: 'invalid_entry', message: read.message } };
    }
    const { entry } = read;
    const report = { identifier: entry.identifier, catalogUrl: catalog.url };
    if (entry.type === AI_CATALOG_MEDIA_TYPE) return this.nest(entry, catalog, walk);
    if (entry.type !== A2A_CARD_ENTRY_TYPE) {
      return { ...report, outcome: 'skipped', error: { code: 'unsupported_type', message: `Entries of type ${entry.type} are not agent cards` } };
    }
    if (walk.identifiers.has(entry.identifier)) {
      return { ...report, outcome: 'skipped', error: { code: 'duplicate_identifier', message: 'An earlier entry has the same identifier' } };
    }
    walk.identifiers.add(entry.identifier);
    return registerEntry(this.registrar, entry, catalog.url, walk.run);
  }

  /** Queues a nested catalog, unless it is too deep, malformed or read already. */
  private nest(entry: CatalogEntry, parent: PendingCatalog, walk: Walk): EntryReport | undefined {
    const depth = parent.depth + 1;
    const nestedBy = { entry, catalogUrl: parent.url };
    const refuse = (outcome: 'skipped' | 'failed', code: string, message: string) => nestedReport({ url: parent.url, depth, nestedBy }, outcome, code, message);
    if (depth > MAX_CATALOG_NESTING) {
      return refuse('skipped', 'catalog_too_deep', `Catalogs nest at most ${MAX_CATALOG_NESTING} deep; this one would be ${depth} deep and is not read`);
    }
    if (entry.data) {
      const document = asCatalogEntryData(entry, parent.url);
      if (!document) return refuse('failed', 'invalid_catalog', 'Its data is not an AI Catalog (it has no specVersion and entries)');
      walk.pending.push({ url: parent.url, document, depth, nestedBy });
      return undefined;
    }
    const url = resolvedUrl(entry.url as string, parent.url);
    if (url === undefined) return refuse('failed', 'invalid_entry', `url ${JSON.stringify(entry.url)} is not a URL`);
    if (walk.visited.has(withoutFragment(url))) return refuse('skipped', 'catalog_cycle', `${url} was read already in this ingest`);
    walk.visited.add(withoutFragment(url));
    walk.pending.push({ url, depth, nestedBy });
    return undefined;
  }
}

/** The inline document of a nested catalog entry, when it is a catalog. */
function asCatalogEntryData(entry: CatalogEntry, url: string): CatalogDocument | undefined {
  try {
    return asCatalog(entry.data, AI_CATALOG_MEDIA_TYPE, url);
  } catch {
    return undefined;
  }
}

/** The report of the entry of a nested catalog that was not read, as listed in its parent. */
function nestedReport(pending: PendingCatalog, outcome: 'skipped' | 'failed', code: string, message: string): EntryReport {
  return {
    ...(pending.nestedBy ? { identifier: pending.nestedBy.entry.identifier } : {}),
    outcome,
    catalogUrl: pending.nestedBy?.catalogUrl ?? pending.url,
    error: { code, message },
  };
}

/** A URL without its fragment, which names no other document. */
function withoutFragment(url: string): string {
  const hash = url.indexOf('#');
  return hash < 0 ? url : url.slice(0, hash);
}
