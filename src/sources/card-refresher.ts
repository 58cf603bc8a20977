import type { AgentService } from '../agents/agent-service.js';
import type { Logger } from '../logger.js';
import type { SafeFetcher } from '../outbound/safe-fetch.js';
import type { AgentRecord } from '../store/agent-record.js';
import type { AgentStore } from '../store/agent-store.js';

/** Agents refreshed per batch; a run repeats batches until nothing is due. */
const REFRESH_BATCH = 50;

export interface RefreshOutcome {
  refreshed: number;
  changed: number;
  failed: number;
}

/**
 * Keeps cards registered by URL in step with their source: each due card is fetched again through
 * the SSRF-safe fetcher; a changed card becomes a new revision (the previous one is kept for
 * comparison), an unchanged or unreachable one is simply scheduled again. Only due agents are read.
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
      for (const record of await this.store.getMany(due)) await this.refresh(record, outcome);
    }
    if (outcome.refreshed > 0) this.logger.info(outcome, 'Card refresh done');
    return outcome;
  }

  private async refresh(record: AgentRecord, outcome: RefreshOutcome): Promise<void> {
    if (!record.sourceUrl) return;
    outcome.refreshed++;
    try {
      const fetched = await this.fetcher.fetchJson(record.sourceUrl);
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
      });
      outcome.changed++;
    } catch (error) {
      outcome.failed++;
      this.logger.warn({ err: error, agentId: record.id, url: record.sourceUrl }, 'Card refresh failed; trying again next time');
      await this.store.scheduleRefresh(record.id, this.agents.nextRefresh()).catch(() => {});
    }
  }
}
