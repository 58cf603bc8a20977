import { validateCard } from '../card/card-validation.js';
import { AgentNotFoundError, ForbiddenError, NotFoundError } from '../errors.js';
import { decodeCursor, encodeCursor, encodeSearchCursor, searchPositionOf } from '../search/page-cursor.js';
import { foldValue, term } from '../search/index-terms.js';
import type { Actor, AgentRecord } from '../store/agent-record.js';
import type { AgentStore } from '../store/agent-store.js';
import type { ExtensionEntry, TrustLevel } from '../store/extension-catalog.js';
import type { ExtensionInfoRequest, ExtensionListRequest } from './extension-schemas.js';

/** A page of the catalog. */
export interface ExtensionList {
  entries: ExtensionEntry[];
  /** How many extensions match in all pages, when known without more work than the page's. */
  total?: number;
  nextPageToken?: string;
}

/** One extension and a page of the agents that declare it. */
export interface ExtensionInfo {
  entry: ExtensionEntry;
  agentIds: string[];
  nextPageToken?: string;
}

/** An extension as one agent's card declares it, with what the catalog knows of it. */
export interface DeclaredExtension {
  /** The URI as the card spells it. */
  uri: string;
  /** Whether this agent requires it. */
  required: boolean;
  entry?: ExtensionEntry;
}

/** The extensions one card declares, each once, and which it requires. */
function declaredBy(record: AgentRecord): { uris: string[]; required: Set<string> } {
  try {
    const { extensions, requiredExtensions } = validateCard(JSON.parse(record.card)).capabilities;
    return { uris: extensions, required: new Set(requiredExtensions) };
  } catch {
    // A stored card a later, stricter version no longer reads declares nothing it can show.
    return { uris: [], required: new Set() };
  }
}

const pageTokenAt = (uri: string) => encodeCursor({ tier: 0, key: uri });

/**
 * The extension catalog: the extensions agents declare, who declares them and how far the
 * registry trusts each. Every read costs what it returns: the catalog is an index the writes keep,
 * walked from a cursor within a budget, never a scan of the cards.
 */
export class ExtensionService {
  constructor(private readonly store: AgentStore) {}

  async list(request: ExtensionListRequest): Promise<ExtensionList> {
    const after = request.pageToken === undefined ? undefined : decodeCursor(request.pageToken).key;
    const uriContains = request.uriPattern === undefined ? undefined : foldValue(request.uriPattern);
    if (request.declaringAgents.length > 0) return this.listDeclaredBy(request, after, uriContains);
    const page = await this.store.listExtensions({
      ...(after !== undefined ? { after } : {}),
      wanted: request.pageSize + 1,
      ...(uriContains !== undefined ? { uriContains } : {}),
      trustLevels: request.trustLevels,
    });
    const entries = page.entries.slice(0, request.pageSize);
    const next = page.entries.length > request.pageSize ? entries.at(-1)?.uri : page.stoppedAt;
    const filtered = uriContains !== undefined || request.trustLevels.length > 0;
    return {
      entries,
      ...(filtered ? {} : { total: page.catalogSize }),
      ...(next !== undefined ? { nextPageToken: pageTokenAt(next) } : {}),
    };
  }

  /**
   * The extensions any of a few named agents declare: their cards are read (at most
   * MAX_DECLARING_AGENTS of them, each with at most CARD_LIMITS.extensions), so every match is in
   * hand and the total is exact.
   */
  private async listDeclaredBy(request: ExtensionListRequest, after: string | undefined, uriContains: string | undefined): Promise<ExtensionList> {
    const records = await this.store.getMany([...new Set(request.declaringAgents)]);
    const uris = new Set<string>();
    for (const record of records) for (const uri of declaredBy(record).uris) uris.add(foldValue(uri));
    const candidates = [...uris].filter((uri) => uriContains === undefined || uri.includes(uriContains)).sort();
    const entries = (await this.store.getExtensions(candidates)).filter(
      (entry) => request.trustLevels.length === 0 || request.trustLevels.includes(entry.trustLevel),
    );
    const rest = after === undefined ? entries : entries.filter((entry) => entry.uri > after);
    const shown = rest.slice(0, request.pageSize);
    const last = shown.at(-1);
    return {
      entries: shown,
      total: entries.length,
      ...(rest.length > shown.length && last ? { nextPageToken: pageTokenAt(last.uri) } : {}),
    };
  }

  /** One extension and a page of the agents that declare it, in registration order; 404 when none does. */
  async info(request: ExtensionInfoRequest): Promise<ExtensionInfo> {
    const uri = foldValue(request.uri);
    const [entry] = await this.store.getExtensions([uri]);
    if (!entry) throw new NotFoundError(`No agent declares the extension '${request.uri}'`, 'extension_not_found');
    const after = request.pageToken === undefined ? undefined : searchPositionOf(decodeCursor(request.pageToken));
    const found = await this.store.searchTerms({
      terms: [term('ext', uri)],
      preferred: [],
      includeInactive: true,
      ...(after ? { after } : {}),
      wanted: request.pageSize + 1,
    });
    const hits = found.hits.slice(0, request.pageSize);
    const next = found.hits.length > request.pageSize ? hits.at(-1)?.position : found.stoppedAt;
    return { entry, agentIds: hits.map((hit) => hit.id), ...(next ? { nextPageToken: encodeSearchCursor(next) } : {}) };
  }

  /** The extensions one agent's card declares, with their catalog entries. */
  async ofAgent(id: string): Promise<DeclaredExtension[]> {
    const record = await this.store.get(id);
    if (!record) throw new AgentNotFoundError(id);
    const { uris, required } = declaredBy(record);
    const entries = new Map((await this.store.getExtensions(uris.map(foldValue))).map((entry) => [entry.uri, entry]));
    return uris.map((uri) => {
      const entry = entries.get(foldValue(uri));
      return { uri, required: required.has(uri), ...(entry ? { entry } : {}) };
    });
  }

  /** Sets an extension's trust level: admins only. */
  async setTrust(uri: string, level: TrustLevel, actor: Actor): Promise<ExtensionEntry> {
    if (!actor.admin) throw new ForbiddenError('Only an admin may set the trust level of an extension');
    const entry = await this.store.setExtensionTrust(foldValue(uri), level);
    if (!entry) throw new NotFoundError(`No agent declares the extension '${uri}'`, 'extension_not_found');
    return entry;
  }
}
