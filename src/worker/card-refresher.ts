import type { AgentService } from '../agents/agent-service.js';
import type { Logger } from '../logger.js';
import type { SafeFetcher } from '../outbound/safe-fetch.js';
import type { AgentRecord } from '../store/agent-record.js';
import type { AgentStore } from '../store/agent-store.js';

/** Agents refreshed per batch; a run repeats batches until nothing is due. */
const REFRESH_BATCH = 50;
/**
 * Sources fetched at once. Each fetch is bounded by the safe fetcher's connect and total timeouts,
 * so sources that never answer hold a run for about (their number / this) total timeouts.
 */
const REFRESH_CONCURRENCY = 4;

export interface RefreshOutcome extends Record<string, number> {
  refreshed: number;
  changed: number;
  failed: number;
}

/**
 * Keeps cards registered by URL in step with their source: each due card is fetched again through
 * the SSRF-safe fetcher; a changed card becomes a new revision (the previous one is kept for
 * comparison), an unchanged or unreachable one is simply scheduled again. Only due agents are read.
 * It runs as a job of its own, apart from the expiry sweep, so a slow source never delays expiries.
 */
export class CardRefresher {
  constructor(
    private readonly store: AgentStore,
    private readonly agents: AgentService,
    private readonly fetcher: SafeFetcher,
    private readonly logger: Logger,
  ) {}

  async run(now = new Date()): Promise<RefreshOutcome> {
    const outcome: RefreshOutcome = { refreshed: 0, changed: 0, failed: 0 };
    for (let batch = REFRESH_BATCH; batch === REFRESH_BATCH; ) {
      const due = await this.store.dueRefreshes(now, REFRESH_BATCH);
      batch = due.length;
      await eachAtMost(REFRESH_CONCURRENCY, await this.store.getMany(due), (record) => this.refresh(record, outcome));
    }
    if (outcome.refreshed > 0) this.logger.info(outcome, 'Card refresh done');
    return outcome;
  }

  private async refresh(record: AgentRecord, outcome: RefreshOutcome): Promise<void> {
    if (!record.sourceUrl) return;
    outcome.refreshed++;
    try {
      const fetched = await this.fetcher.fetchCardAt(record.sourceUrl);
      if (fetched.text === record.card) {
        await this.store.scheduleRefresh(record.id, this.agents.nextRefresh());
        return;
      }
      await this.agents.register({
        card: fetched.json,
        cardJson: fetched.text,
        id: record.id,
        expectedRevision: record.revision,
        actor: { id: record.owner, admin: false },
        sourceUrl: record.sourceUrl,
        refreshed: true,
      });
      outcome.changed++;
    } catch (error) {
      outcome.failed++;
      this.logger.warn({ err: error, agentId: record.id, url: record.sourceUrl }, 'Card refresh failed; trying again next time');
      await this.store.scheduleRefresh(record.id, this.agents.nextRefresh()).catch(() => {});
    }
  }
}

/** Calls `each` on every item, `limit` of them in flight at a time. */
async function eachAtMost<T>(limit: number, items: readonly T[], each: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await each(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
