import type { AgentService } from '../agents/agent-service.js';
import { AppError, NotFoundError, UnavailableError } from '../errors.js';
import type { Actor } from '../store/agent-record.js';
import type { CatalogSourceStore, HeldEntry, IngestedCatalog } from '../store/catalog-sources.js';
import type { IngestReport, SyncOutcome } from './ingest-report.js';

/** How many held entries are missing from their catalog, and since when the first of them is. */
export interface MissingEntries {
  count: number;
  since?: number;
}

function missingOf(entries: Iterable<HeldEntry>): MissingEntries {
  let count = 0;
  let since: number | undefined;
  for (const entry of entries) {
    if (entry.missingSince === undefined) continue;
    count++;
    since = Math.min(since ?? entry.missingSince, entry.missingSince);
  }
  return { count, ...(since !== undefined ? { since } : {}) };
}

/** The outcomes after which the registry holds an entry as an agent of the catalog. */
const HELD_OUTCOMES: ReadonlySet<string> = new Set(['registered', 'updated', 'unchanged']);

/**
 * Keeps the agents an ingested catalog gave the registry in step with the catalog, after each read
 * of it: an entry that left a catalog read in full becomes `deprecated`, with a status message
 * saying so, and is deleted once it has been gone for the grace period; one that comes back
 * before then is active again. Entries still listed but failing this time are left as they were.
 */
export class CatalogSync {
  constructor(
    private readonly sources: CatalogSourceStore,
    private readonly agents: AgentService,
    private readonly graceMs: number,
  ) {}

  /** Syncs the catalog's agents with `report`; also tells the entries missing after it, for the catalog's state. */
  async sync(catalog: IngestedCatalog, report: IngestReport, now: Date): Promise<{ outcome: SyncOutcome; missing: MissingEntries }> {
    const outcome: SyncOutcome = { deprecated: 0, reactivated: 0, deleted: 0 };
    const actor: Actor = { id: catalog.owner, admin: false };
    const held = new Map((await this.sources.heldEntries(catalog.key)).map((entry) => [entry.identifier, entry]));
    const listed = new Set<string>();
    const kept: HeldEntry[] = [];
    for (const entry of report.entries) {
      if (entry.identifier === undefined) continue;
      listed.add(entry.identifier);
      if (!HELD_OUTCOMES.has(entry.outcome) || entry.agentId === undefined) continue;
      const before = held.get(entry.identifier);
      if (before?.missingSince !== undefined && (await this.reactivate(before.agentId, actor))) outcome.reactivated++;
      if (!before || before.missingSince !== undefined || before.agentId !== entry.agentId) kept.push({ identifier: entry.identifier, agentId: entry.agentId });
    }
    await this.sources.putEntries(catalog.key, kept);
    for (const entry of kept) held.set(entry.identifier, entry);
    // Entries past the budget or the deadline, or in a nested catalog that could not be read, are unknown.
    if (report.complete) await this.settleMissing([...held.values()].filter((entry) => !listed.has(entry.identifier)), catalog, actor, now, outcome, held);
    return { outcome, missing: missingOf(held.values()) };
  }

  /** Settles the entries missing from a complete read; `held` follows what it marks and drops. */
  private async settleMissing(
    missing: HeldEntry[],
    catalog: IngestedCatalog,
    actor: Actor,
    now: Date,
    outcome: SyncOutcome,
    held: Map<string, HeldEntry>,
  ): Promise<void> {
    const marked: HeldEntry[] = [];
    const gone: string[] = [];
    for (const entry of missing) {
      if (entry.missingSince === undefined) {
        const deleteAfter = new Date(now.getTime() + this.graceMs).toISOString();
        const message = `Left its publisher's AI Catalog; deleted after ${deleteAfter} unless it comes back`;
        if (await this.change(() => this.agents.setStatus({ id: entry.agentId, actor, status: 'deprecated', message }))) {
          outcome.deprecated++;
          marked.push({ ...entry, missingSince: now.getTime() });
        } else gone.push(entry.identifier);
      } else if (now.getTime() - entry.missingSince >= this.graceMs) {
        if (await this.change(() => this.agents.delete(entry.agentId, actor))) outcome.deleted++;
        gone.push(entry.identifier);
      }
    }
    await this.sources.putEntries(catalog.key, marked);
    await this.sources.dropEntries(catalog.key, gone);
    for (const entry of marked) held.set(entry.identifier, entry);
    for (const identifier of gone) held.delete(identifier);
  }

  /** Makes an agent that came back active again, when it is still deprecated. */
  private async reactivate(agentId: string, actor: Actor): Promise<boolean> {
    const record = await this.agents.get(agentId).catch((error: unknown) => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
    if (record?.lifecycle.status !== 'deprecated') return false;
    return this.change(() => this.agents.setStatus({ id: agentId, actor, status: 'active' }));
  }

  /**
   * Runs a change to an agent of the catalog; false when the agent is gone or no longer the
   * catalog owner's (deleted by hand, taken over by a domain proof): the catalog lets go of it.
   */
  private async change(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (error) {
      if (!(error instanceof AppError) || error instanceof UnavailableError) throw error;
      return false;
    }
  }
}
