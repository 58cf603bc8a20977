import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { boundedRead } from './bounded-read.js';

/** Buckets of the invalidation lag, in seconds: pub/sub on one network is usually well under 10 ms. */
const LAG_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/** Request latency buckets, in seconds: from sub-millisecond cache hits to multi-second outliers. */
const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Probe latency buckets, in seconds: from a nearby agent to one at the probe timeout. */
const PROBE_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The probes' metrics; see {@link Metrics.watchProbes}. */
export interface ProbeMetrics {
  results: Counter<'status'>;
  latency: Histogram;
  dueLag: Gauge;
}

/** The AI Catalog ingests' metrics, counted where catalogs are read (the API for a caller's ingest, the worker for the sync). */
export type CatalogMetrics = Pick<Metrics, 'catalogEntries' | 'catalogReads' | 'catalogSyncActions'>;

/** A counter with each of `values` of its one label at zero, so that rates start from the first scrape. */
function zeroed<L extends string>(counter: Counter<L>, label: L, values: readonly string[]): Counter<L> {
  for (const value of values) counter.inc({ [label]: value } as Record<L, string>, 0);
  return counter;
}

/** The registry's Prometheus metrics, one set per process. */
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });
  readonly redisErrors = new Counter({
    name: 'a2a_redis_errors_total',
    help: 'Redis connection errors and failed commands',
    registers: [this.registry],
  });
  /** Read at scrape time, within 250 ms (else the last known counts stay): agents by status. */
  agentCounts: () => Promise<Record<string, number>> = async () => ({});
  private readonly boundedAgentCounts = boundedRead(() => this.agentCounts());
  readonly agents: Gauge<'status'> = new Gauge({
    name: 'a2a_agents',
    help: 'Registered agents by status',
    labelNames: ['status'] as const,
    registers: [this.registry],
    collect: async (): Promise<void> => {
      const counts = (await this.boundedAgentCounts()) ?? {};
      for (const [status, count] of Object.entries(counts)) this.agents.set({ status }, count);
    },
  });
  /** Read at scrape time, within 250 ms (else the last known counts stay): sweep queue jobs by state (worker role only). */
  queueCounts: () => Promise<Record<string, number>> = async () => ({});
  private readonly boundedQueueCounts = boundedRead(() => this.queueCounts());
  readonly queueJobs: Gauge<'state'> = new Gauge({
    name: 'a2a_sweep_queue_jobs',
    help: 'Jobs of the BullMQ expiry sweep queue by state',
    labelNames: ['state'] as const,
    registers: [this.registry],
    collect: async (): Promise<void> => {
      const counts = (await this.boundedQueueCounts()) ?? {};
      for (const [state, count] of Object.entries(counts)) this.queueJobs.set({ state }, count);
    },
  });

  /**
   * Adds the probes' metrics (the worker's, with PROBE_ENABLED): probes by result, their latency, and
   * how late the oldest due probe is. Statuses are the few of `store/probe-outcome.ts`.
   */
  watchProbes(): ProbeMetrics {
    return {
      results: new Counter({
        name: 'a2a_probe_results_total',
        help: 'Probes of agents by the status they found (ok, degraded, unreachable, refused, invalid, timeout, blocked, opted_out)',
        labelNames: ['status'] as const,
        registers: [this.registry],
      }),
      latency: new Histogram({
        name: 'a2a_probe_duration_seconds',
        help: 'Time a probe of an agent took (card fetch and transport check), of probes that sent a request',
        buckets: PROBE_BUCKETS,
        registers: [this.registry],
      }),
      dueLag: new Gauge({
        name: 'a2a_probe_due_lag_seconds',
        help: 'How long the oldest due probe had waited past its time when the worker last claimed probes (0: none late)',
        registers: [this.registry],
      }),
    };
  }

  /**
   * Adds a mirror's metrics (`FOLLOW_URL`): whether its source answers, how far behind it is, and the
   * events it applied, which it counts on the counter returned.
   */
  watchMirror(state: () => { sourceUp: boolean; lagSeconds: number }): Counter {
    const up: Gauge = new Gauge({
      name: 'a2a_follow_source_up',
      help: "Whether the mirror's source registry answered its last request (1) or not (0)",
      registers: [this.registry],
      collect: (): void => up.set(state().sourceUp ? 1 : 0),
    });
    const lag: Gauge = new Gauge({
      name: 'a2a_follow_lag_seconds',
      help: "Seconds since the mirror last reached the end of its source's change log (0 while it is there)",
      registers: [this.registry],
      collect: (): void => lag.set(state().lagSeconds),
    });
    return new Counter({
      name: 'a2a_follow_events_applied_total',
      help: "Events of the source's change log the mirror applied (replays of what it held already included)",
      registers: [this.registry],
    });
  }

  /** Adds `a2a_redis_up`, read at scrape time from `answers` (which must answer within the scrape's bound). */
  watchRedis(answers: () => Promise<boolean>): void {
    const up: Gauge = new Gauge({
      name: 'a2a_redis_up',
      help: 'Whether Redis answers this process (1) or not (0): down, stalled, or slower than 250 ms to a PING',
      registers: [this.registry],
      collect: async (): Promise<void> => up.set((await answers()) ? 1 : 0),
    });
  }

  readonly cacheHits = new Counter({ name: 'a2a_cache_hits_total', help: 'Agent record reads answered from the replica cache', registers: [this.registry] });
  readonly cacheMisses = new Counter({ name: 'a2a_cache_misses_total', help: 'Agent record reads that went to the store', registers: [this.registry] });
  readonly cacheEvictions = new Counter({ name: 'a2a_cache_evictions_total', help: 'Records evicted from the replica cache to respect its bounds', registers: [this.registry] });
  readonly pageCacheHits = new Counter({ name: 'a2a_page_cache_hits_total', help: 'Pages of agents sent as kept JSON', registers: [this.registry] });
  readonly pageCacheMisses = new Counter({ name: 'a2a_page_cache_misses_total', help: 'Pages of agents put together anew', registers: [this.registry] });
  /** Read at scrape time: bytes of page JSON the replica keeps. */
  pageCacheSize: () => number = () => 0;
  readonly pageCacheBytes: Gauge = new Gauge({
    name: 'a2a_page_cache_bytes',
    help: 'Bytes of page JSON held by the replica',
    registers: [this.registry],
    collect: (): void => this.pageCacheBytes.set(this.pageCacheSize()),
  });
  /** Read at scrape time: how many records the replica cache holds. */
  cacheSize: () => number = () => 0;
  readonly cacheEntries: Gauge = new Gauge({
    name: 'a2a_cache_entries',
    help: 'Records held in the replica cache',
    registers: [this.registry],
    collect: (): void => this.cacheEntries.set(this.cacheSize()),
  });
  readonly datasetLosses = new Counter({
    name: 'a2a_redis_dataset_lost_total',
    help: 'Times this replica found that Redis lost its data (a new data set epoch) and dropped its caches',
    registers: [this.registry],
  });
  readonly unconfirmedWrites = new Counter({
    name: 'a2a_redis_writes_unconfirmed_total',
    help: 'Writes stored on the Redis primary but answered 503 because fewer replicas than REDIS_WAIT_REPLICAS confirmed them in time',
    registers: [this.registry],
  });
  readonly saveBatchSaves = new Histogram({
    name: 'a2a_store_save_batch_saves',
    help: 'Saves one run of the save script made: the saves that arrive while two batches are out go together in the next',
    buckets: [1, 2, 4, 8, 16],
    registers: [this.registry],
  });
  readonly invalidations = new Counter({ name: 'a2a_cache_invalidations_total', help: 'Invalidations received over Redis pub/sub', registers: [this.registry] });
  readonly invalidationLag = new Histogram({
    name: 'a2a_cache_invalidation_lag_seconds',
    help: 'Time from a write on any replica to this replica dropping the cached record',
    buckets: LAG_BUCKETS,
    registers: [this.registry],
  });
  readonly searchCandidates = new Histogram({
    name: 'a2a_search_candidates_examined',
    help: 'Index candidates one filtered search page examined; the walk budget bounds them',
    buckets: [16, 64, 256, 1024, 2048, 4096, 16384, 65536],
    registers: [this.registry],
  });
  readonly searchBudgetStops = new Counter({
    name: 'a2a_search_budget_stops_total',
    help: 'Filtered search pages cut short because the walk spent its budget; they carry a cursor to go on',
    registers: [this.registry],
  });
  readonly searchEstimatedTotals = new Counter({
    name: 'a2a_search_estimated_totals_total',
    help: 'Filtered search pages whose total is an estimate',
    registers: [this.registry],
  });
  readonly searchTurnWait = new Histogram({
    name: 'a2a_search_turn_wait_seconds',
    help: 'Time a costly search walk waited in this replica for its turn to run in Redis',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly searchTurnsRefused = new Counter({
    name: 'a2a_search_turns_refused_total',
    help: 'Costly search walks refused with a 503 because too many were waiting for a turn',
    registers: [this.registry],
  });
  /** Read at scrape time: costly search walks waiting for a turn. */
  searchTurnsQueued: () => number = () => 0;
  readonly searchTurnsWaiting: Gauge = new Gauge({
    name: 'a2a_search_turns_waiting',
    help: 'Costly search walks waiting in this replica for a turn',
    registers: [this.registry],
    collect: (): void => this.searchTurnsWaiting.set(this.searchTurnsQueued()),
  });
  readonly heartbeats = new Counter({ name: 'a2a_heartbeats_total', help: 'Heartbeats received', registers: [this.registry] });
  readonly expiries = new Counter({
    name: 'a2a_agent_expiries_total',
    help: 'Agents turned inactive (stage="inactive") or deleted (stage="deleted") for missing heartbeats',
    labelNames: ['stage'] as const,
    registers: [this.registry],
  });
  readonly catalogEntries = zeroed(
    new Counter({
      name: 'a2a_catalog_ingest_entries_total',
      help: 'AI Catalog entries read by ingests and their syncs, by outcome',
      labelNames: ['outcome'] as const,
      registers: [this.registry],
    }),
    'outcome',
    ['registered', 'updated', 'unchanged', 'skipped', 'failed'],
  );
  readonly catalogReads = zeroed(
    new Counter({
      name: 'a2a_catalog_reads_total',
      help: 'Reads of ingested AI Catalogs: read in full (ok), in part (incomplete), or not at all (failed)',
      labelNames: ['result'] as const,
      registers: [this.registry],
    }),
    'result',
    ['ok', 'incomplete', 'failed'],
  );
  readonly catalogSyncActions = zeroed(
    new Counter({
      name: 'a2a_catalog_sync_actions_total',
      help: 'Agents of ingested AI Catalogs deprecated, deleted or reactivated as entries left or came back',
      labelNames: ['action'] as const,
      registers: [this.registry],
    }),
    'action',
    ['deprecated', 'deleted', 'reactivated'],
  );
  readonly sweepDuration = new Histogram({
    name: 'a2a_sweep_duration_seconds',
    help: 'Duration of expiry sweeps',
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /**
   * Exports `a2a_sweep_last_success_timestamp_seconds`, read at scrape time from `read` (Unix ms),
   * within the scrape's bound like every Redis value. Only processes that run the sweep call it: a
   * gauge without labels reads 0 until set, and a 0 on API replicas would look like sweeps that
   * stopped in 1970.
   */
  exportSweepLastSuccess(read: () => Promise<number | undefined>): void {
    const bounded = boundedRead(read);
    const gauge: Gauge = new Gauge({
      name: 'a2a_sweep_last_success_timestamp_seconds',
      help: 'Unix time of the last completed expiry sweep, by whichever worker ran it',
      registers: [this.registry],
      collect: async (): Promise<void> => {
        const last = await bounded();
        if (last !== undefined) gauge.set(last / 1000);
      },
    });
  }
}
