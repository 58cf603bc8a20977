import type { Logger } from '../logger.js';
import type { ProbeMetrics } from '../metrics/metrics.js';
import type { AgentRecord } from '../store/agent-record.js';
import type { AgentStore } from '../store/agent-store.js';
import type { AgentProber, ProbeFinding } from './agent-prober.js';
import { ProbeBudget, type BudgetedTask, type ProbeLimits } from './probe-budget.js';
import type { ProbeOutcome, ProbeResult, ProbeStatus } from '../store/probe-outcome.js';
import { originOf, probeTargetOf } from './probe-target.js';

/** Statuses that count as the agent answering: the schedule does not back off after them. */
const ANSWERED: ReadonlySet<ProbeStatus> = new Set<ProbeStatus>(['ok', 'degraded', 'opted_out']);

/** Most agents claimed at once: one claim is one short script run. */
const MAX_CLAIM = 100;

/** Options of {@link ProbeRunner}. */
export interface ProbeSettings extends ProbeLimits {
  /** Time between two probes of an agent that answers, in milliseconds. */
  intervalMs: number;
  /** Longest time between two probes of an agent that keeps failing (the back-off doubles up to it), in milliseconds. */
  maxBackoffMs: number;
  /** How long one probe may take; bounds each request the probe sends. */
  timeoutMs: number;
  /** Longest a run goes on claiming due agents before it ends (the next run carries on). */
  runMs: number;
  /**
   * Most agents claimed at once.
   * @defaultValue about ten seconds of probes at the rate, at most 100
   */
  claimSize?: number;
}

export interface ProbeRunOutcome extends Record<string, number> {
  probed: number;
  deferred: number;
  changed: number;
}

/**
 * One probe run of the worker: claims the agents whose probe is due (a batch at a time, never more
 * than the rate can start before their claims' lease runs out), probes them within the budget, and
 * keeps each outcome with the agent's next probe time: an interval after an answer, doubling after
 * each failure up to the back-off cap, and never before an origin's `Retry-After`.
 */
export class ProbeRunner {
  private readonly budget: ProbeBudget;
  private readonly claimSize: number;

  constructor(
    private readonly store: AgentStore,
    private readonly prober: AgentProber,
    private readonly settings: ProbeSettings,
    private readonly metrics: ProbeMetrics,
    private readonly logger: Logger,
  ) {
    this.budget = new ProbeBudget(settings);
    // About ten seconds of probes at the rate: claims stay short, and held no longer than needed.
    this.claimSize = settings.claimSize ?? Math.max(1, Math.min(MAX_CLAIM, Math.ceil(settings.ratePerSecond * 10)));
  }

  /**
   * The lease of a claim: twice the longest a batch can take, at the rate or (all on one origin,
   * every probe sending its two requests at the timeout) at the origin concurrency.
   */
  private leaseMs(): number {
    const { ratePerSecond, originConcurrency, timeoutMs } = this.settings;
    const atRate = (this.claimSize / ratePerSecond) * 1000;
    const oneOrigin = Math.ceil(this.claimSize / originConcurrency) * 2 * timeoutMs;
    return 2 * (Math.max(atRate, oneOrigin) + 2 * timeoutMs);
  }

  async run(): Promise<ProbeRunOutcome> {
    const outcome: ProbeRunOutcome = { probed: 0, deferred: 0, changed: 0 };
    const endAt = Date.now() + this.settings.runMs;
    while (Date.now() < endAt) {
      const claim = await this.store.claimProbes(new Date(), this.claimSize, this.leaseMs());
      this.metrics.dueLag.set(claim.lagMs / 1000);
      if (claim.ids.length === 0) break;
      const records = await this.store.getMany(claim.ids);
      const unsent: Promise<void>[] = [];
      const tasks = records.flatMap((record) => this.taskOf(record, outcome, unsent));
      await Promise.all(unsent);
      await this.budget.run(tasks);
      if (claim.ids.length < this.claimSize) break;
    }
    if (outcome.probed > 0) this.logger.info(outcome, 'Probe run done');
    return outcome;
  }

  /** The budgeted probe of one claimed agent; one that sends nothing (opted out, no usable interface) is kept at once, its write added to `unsent`. */
  private taskOf(record: AgentRecord, outcome: ProbeRunOutcome, unsent: Promise<void>[]): BudgetedTask[] {
    const target = probeTargetOf(record);
    if (target.kind !== 'probe') {
      const result: ProbeResult =
        target.kind === 'opted_out'
          ? this.unsent('opted_out', null)
          : this.unsent('invalid', { code: 'no_probe_target', message: target.message });
      unsent.push(this.keep(record, { result }, outcome));
      return [];
    }
    const origin = originOf(target);
    return [
      {
        origin,
        run: async () => {
          const finding = await this.prober.probe(record, target).catch((error: unknown): ProbeFinding => {
            this.logger.warn({ err: error, agentId: record.id }, 'Probe failed unexpectedly');
            return { result: this.unsent('invalid', { code: 'probe_failed', message: 'The probe failed unexpectedly' }) };
          });
          if (finding.retryAfterMs !== undefined) this.budget.deferOrigin(origin, Date.now() + finding.retryAfterMs);
          await this.keep(record, finding, outcome);
        },
        defer: async (until) => {
          outcome.deferred++;
          await this.store.scheduleProbe(record.id, new Date(until));
        },
      },
    ];
  }

  private unsent(status: ProbeStatus, error: ProbeResult['error']): ProbeResult {
    return { status, checkedAt: new Date().toISOString(), latencyMs: null, transport: 'skipped', cardDrift: null, error };
  }

  private async keep(record: AgentRecord, finding: ProbeFinding, outcome: ProbeRunOutcome): Promise<void> {
    const { result } = finding;
    const failures = ANSWERED.has(result.status) ? 0 : (record.probe?.failures ?? 0) + 1;
    const stored: ProbeOutcome = { result, failures };
    const nextAt = Math.max(Date.now() + this.delayAfter(failures), Date.now() + (finding.retryAfterMs ?? 0));
    outcome.probed++;
    this.metrics.results.inc({ status: result.status });
    if (result.latencyMs !== null) this.metrics.latency.observe(result.latencyMs / 1000);
    try {
      const recorded = await this.store.recordProbe(record.id, stored, new Date(nextAt));
      if (recorded.kind === 'changed') outcome.changed++;
    } catch (error) {
      // The claim's lease runs out and the agent is due again: nothing is lost but this probe.
      this.logger.warn({ err: error, agentId: record.id }, 'Could not keep a probe result; the agent is probed again');
    }
  }

  /** The wait before the next probe after `failures` failures in a row: the interval, doubled per failure, capped. */
  private delayAfter(failures: number): number {
    const { intervalMs, maxBackoffMs } = this.settings;
    return failures === 0 ? intervalMs : Math.min(intervalMs * 2 ** Math.min(failures, 30), Math.max(intervalMs, maxBackoffMs));
  }
}
