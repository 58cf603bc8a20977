import type { AgentService } from '../agents/agent-service.js';
import { AppError, ForbiddenError, NotFoundError, UnavailableError } from '../errors.js';
import type { Actor } from '../store/agent-record.js';
import type { CatalogSourceStore, CatalogState } from '../store/catalog-sources.js';

/** Agents one `DELETE /catalogs/{key}?delete_agents=true` deletes; the caller repeats it for the rest. */
export const AGENTS_DELETED_PER_REQUEST = 100;

/** Agent deletions in flight at once during a stop, so that one request holds few store calls open. */
const DELETES_AT_ONCE = 8;

/** A page of ingested catalogs, and where the next one starts when there may be one. */
export interface CatalogPage {
  catalogs: CatalogState[];
  nextCursor?: string;
}

/** What stopping a catalog's sync did. */
export interface StopOutcome {
  key: string;
  /** True once the catalog is forgotten; false while agents to delete remain (the request is repeated). */
  forgotten: boolean;
  agentsDeleted: number;
  /** Agents the catalog still holds: kept as they are, or left to delete by the next request. */
  agentsRemaining: number;
}

/**
 * The catalogs callers ingested, as their owners (and admins) see and stop them. Work per request
 * is bounded by its page size, or by {@link AGENTS_DELETED_PER_REQUEST} for a stop that deletes agents.
 */
export class CatalogSourceService {
  constructor(
    private readonly sources: CatalogSourceStore,
    private readonly agents: AgentService,
  ) {}

  async list(actor: Actor, page: { limit: number; after?: string }): Promise<CatalogPage> {
    const keys = await this.sources.listKeys({ ...(actor.admin ? {} : { owner: actor.id }), ...(page.after ? { after: page.after } : {}), limit: page.limit });
    const states = await Promise.all(keys.map((key) => this.sources.state(key)));
    const last = keys.at(-1);
    return { catalogs: states.filter((state) => state !== undefined), ...(keys.length === page.limit && last ? { nextCursor: last } : {}) };
  }

  /** The catalog `key`, when `actor` owns it or is an admin. */
  async get(key: string, actor: Actor): Promise<CatalogState> {
    const state = await this.sources.state(key);
    if (!state) throw new NotFoundError(`No ingested catalog has the key '${key}'`, 'catalog_not_found');
    if (!actor.admin && state.owner !== actor.id) throw new ForbiddenError('Only the principal that ingested this catalog, or an admin, may see or stop it');
    return state;
  }

  /**
   * Stops syncing the catalog `key`. Without `deleteAgents` it is forgotten at once and its agents
   * stay as they are. With it, the worker stops reading it at once, and each call deletes up to
   * {@link AGENTS_DELETED_PER_REQUEST} of its agents, forgetting the catalog once none remain.
   */
  async stop(key: string, actor: Actor, deleteAgents: boolean): Promise<StopOutcome> {
    const state = await this.get(key, actor);
    if (!deleteAgents) {
      await this.sources.forget(key);
      return { key, forgotten: true, agentsDeleted: 0, agentsRemaining: state.entries };
    }
    await this.sources.unschedule(key);
    const entries = await this.sources.someEntries(key, AGENTS_DELETED_PER_REQUEST);
    // As the catalog's owner: an agent another principal took over since (a domain proof) is not the catalog's to delete.
    const owner: Actor = { id: state.owner, admin: false };
    let agentsDeleted = 0;
    for (let at = 0; at < entries.length; at += DELETES_AT_ONCE) {
      const done = await Promise.all(entries.slice(at, at + DELETES_AT_ONCE).map((entry) => this.deleted(entry.agentId, owner)));
      agentsDeleted += done.filter(Boolean).length;
    }
    await this.sources.dropEntries(key, entries.map((entry) => entry.identifier));
    const agentsRemaining = (await this.sources.state(key))?.entries ?? 0;
    if (agentsRemaining === 0) await this.sources.forget(key);
    return { key, forgotten: agentsRemaining === 0, agentsDeleted, agentsRemaining };
  }

  /** Deletes one agent of the catalog; false when it is gone already or no longer the owner's. */
  private async deleted(agentId: string, owner: Actor): Promise<boolean> {
    try {
      await this.agents.delete(agentId, owner);
      return true;
    } catch (error) {
      if (!(error instanceof AppError) || error instanceof UnavailableError) throw error;
      return false;
    }
  }
}
