import type { Metrics } from '../metrics/metrics.js';
import type { Actor, HeartbeatResult } from '../store/agent-record.js';
import type { AgentStore } from '../store/agent-store.js';

/** Liveness of agents: heartbeats keep them listed; the sweep hides and then removes the silent ones. */
export class HeartbeatService {
  constructor(
    private readonly store: AgentStore,
    private readonly metrics: Metrics,
  ) {}

  async heartbeat(id: string, actor: Actor): Promise<HeartbeatResult> {
    const result = await this.store.heartbeat(id, new Date(), actor);
    this.metrics.heartbeats.inc();
    return result;
  }
}
