import { NotFoundError } from '../errors.js';
import type { AgentStore } from '../store/agent-store.js';
import { presentCatalogEntry, type CatalogSite } from './catalog-entry-presenter.js';
import type { CatalogDocument, CatalogEntry } from './catalog-responses.js';

/** The media type of an AI Catalog, and of an entry that is a nested one. */
export const AI_CATALOG_TYPE = 'application/ai-catalog+json';
/** The media type of an entry that names a registry's ARD API (ARD §5.3: its base is found by this type). */
const AI_REGISTRY_TYPE = 'application/ai-registry+json';

/**
 * Links an index page holds at most. A root four levels above the leaves covers 100^4 leaves, so
 * the depth stays within the AI Catalog's recommended 4 for up to `pageSize` x 100^4 agent numbers.
 */
const INDEX_FANOUT = 100;

/** Where the pages below the root are served: `{path}/{level}/{index}`. */
export const CATALOG_PAGES_PATH = '/ai-catalog/pages';

export interface CatalogSettings {
  site: CatalogSite;
  /** Agents a leaf page holds at most (CATALOG_PAGE_SIZE). */
  pageSize: number;
  /** The `host` block of every document. */
  host: CatalogDocument['host'];
  /** The absolute URL of the ARD API base, which the root lists as a registry entry. */
  ardBase: string;
  /** Links an index page holds at most; smaller only in tests, to build deep trees from few agents. @defaultValue {@link INDEX_FANOUT} */
  fanout?: number;
}

/** A page of the tree: level 0 pages hold agents, higher ones link the pages below. */
export interface CatalogNode {
  level: number;
  index: number;
}

/**
 * The registry's agents as a tree of AI Catalogs, partitioned by agent number: the leaf page at
 * index `i` holds the active agents numbered `i * pageSize + 1` to `(i + 1) * pageSize`, and an index
 * page at level `l` links up to `fanout` pages of level `l - 1`. Agent numbers are never reused and
 * an agent keeps its number for life, so each agent is on exactly one leaf and a page's address never
 * changes meaning. The root is the lowest node that covers every number handed out, with the ARD API
 * beside its links. A page costs one read of the number map for its range and its records (leaves),
 * or one read of the last number (index pages): never a scan.
 */
export class CatalogService {
  private readonly fanout: number;

  constructor(
    private readonly store: AgentStore,
    private readonly settings: CatalogSettings,
  ) {
    this.fanout = settings.fanout ?? INDEX_FANOUT;
  }

  /** The root document: `/.well-known/ai-catalog.json` and `/.well-known/ard.json`. */
  async root(): Promise<CatalogDocument> {
    const { lastNumber } = await this.store.numberedIds(1, 0);
    let level = 0;
    while (this.span(level) < lastNumber) level++;
    const registry: CatalogEntry = {
      identifier: `urn:air:${this.settings.site.publisher}:registry:ard`,
      displayName: `${this.settings.host.displayName} ARD API`,
      type: AI_REGISTRY_TYPE,
      url: this.settings.ardBase,
      description: 'The registry\'s Agentic Resource Discovery API: POST {url}/search, GET {url}/agents/{identifier}, GET {url}/agents, POST {url}/explore',
    };
    return this.document([registry, ...(await this.entriesOf({ level, index: 0 }, lastNumber))]);
  }

  /** A page below the root; NotFoundError past the agent numbers handed out. */
  async page(node: CatalogNode): Promise<CatalogDocument> {
    const { lastNumber } = await this.store.numberedIds(1, 0);
    if (node.index > 0 && node.index * this.span(node.level) >= lastNumber) {
      throw new NotFoundError(`No catalog page ${node.level}/${node.index}: the registry has no agents that far`, 'catalog_page_not_found');
    }
    return this.document(await this.entriesOf(node, lastNumber));
  }

  /** How many agent numbers a page of `level` covers. */
  private span(level: number): number {
    return this.settings.pageSize * this.fanout ** level;
  }

  private async entriesOf(node: CatalogNode, lastNumber: number): Promise<CatalogEntry[]> {
    if (node.level === 0) return this.agentEntries(node.index);
    const entries: CatalogEntry[] = [];
    const below = this.span(node.level - 1);
    for (let child = node.index * this.fanout; child < (node.index + 1) * this.fanout && child * below < lastNumber; child++) {
      entries.push(this.pageEntry({ level: node.level - 1, index: child }, below));
    }
    return entries;
  }

  private async agentEntries(index: number): Promise<CatalogEntry[]> {
    const { agents } = await this.store.numberedIds(index * this.settings.pageSize + 1, this.settings.pageSize);
    const records = await this.store.getMany(agents.map((agent) => agent.id));
    return records.filter((record) => record.status === 'active').map((record) => presentCatalogEntry(record, this.settings.site));
  }

  private pageEntry(node: CatalogNode, span: number): CatalogEntry {
    const { publicUrl, publisher } = this.settings.site;
    return {
      identifier: `urn:air:${publisher}:catalog:page-${node.level}-${node.index}`,
      displayName: `Agents numbered ${node.index * span + 1} to ${(node.index + 1) * span}`,
      type: AI_CATALOG_TYPE,
      url: `${publicUrl}${CATALOG_PAGES_PATH}/${node.level}/${node.index}`,
    };
  }

  /** A document of `entries`, unsigned: the routes sign it for a client that lacks it. */
  private document(entries: CatalogEntry[]): CatalogDocument {
    return { specVersion: '1.0', host: this.settings.host, entries };
  }
}
