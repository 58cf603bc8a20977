/** The limits every probe run keeps to. */
export interface ProbeLimits {
  /** Most probes started per second, across every origin. */
  ratePerSecond: number;
  /** Most probes of agents of one origin in flight at once. */
  originConcurrency: number;
}

/** One unit of work for {@link ProbeBudget.run}: the origin it counts against, and what to do. */
export interface BudgetedTask {
  origin: string;
  /** Sends the probe. */
  run(): Promise<void>;
  /** Called instead of `run` when its origin asked to be left alone until a time (see {@link ProbeBudget.deferOrigin}). */
  defer(until: number): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * Starts probes no faster than the global rate and with at most the per-origin concurrency in
 * flight for each origin, and holds back the origins that answered a `Retry-After`. One budget
 * lives as long as its runner, so the rate holds across runs too.
 */
export class ProbeBudget {
  private nextStartAt = 0;
  private readonly deferred = new Map<string, number>();

  constructor(private readonly limits: ProbeLimits) {}

  /** No probe of `origin` starts before `until` (Unix ms); queued ones are deferred to then. */
  deferOrigin(origin: string, until: number): void {
    this.deferred.set(origin, Math.max(until, this.deferred.get(origin) ?? 0));
  }

  /** Runs every task within the limits; resolves when all have finished. */
  async run(tasks: readonly BudgetedTask[]): Promise<void> {
    const queues = new Map<string, BudgetedTask[]>();
    for (const task of tasks) queues.set(task.origin, [...(queues.get(task.origin) ?? []), task]);
    const active = new Map<string, number>();
    const running = new Set<Promise<void>>();
    const spacingMs = 1000 / this.limits.ratePerSecond;
    for (;;) {
      await this.deferHeldOrigins(queues);
      const origin = [...queues.keys()].find((key) => (active.get(key) ?? 0) < this.limits.originConcurrency);
      if (origin === undefined) {
        if (running.size === 0) return;
        await Promise.race(running);
        continue;
      }
      const wait = this.nextStartAt - Date.now();
      if (wait > 0) {
        await sleep(wait);
        continue;
      }
      this.nextStartAt = Math.max(this.nextStartAt, Date.now()) + spacingMs;
      const task = this.take(queues, origin);
      active.set(origin, (active.get(origin) ?? 0) + 1);
      const done: Promise<void> = task.run().finally(() => {
        active.set(origin, (active.get(origin) ?? 1) - 1);
        running.delete(done);
      });
      running.add(done);
    }
  }

  private take(queues: Map<string, BudgetedTask[]>, origin: string): BudgetedTask {
    const queue = queues.get(origin) as BudgetedTask[];
    const task = queue.shift() as BudgetedTask;
    if (queue.length === 0) queues.delete(origin);
    return task;
  }

  /** Tasks of an origin still held back are deferred, costing no rate; an origin whose time came is forgotten. */
  private async deferHeldOrigins(queues: Map<string, BudgetedTask[]>): Promise<void> {
    const now = Date.now();
    for (const [origin, until] of this.deferred) {
      if (until <= now) {
        this.deferred.delete(origin);
        continue;
      }
      const held = queues.get(origin) ?? [];
      queues.delete(origin);
      await Promise.all(held.map((task) => task.defer(until)));
    }
  }
}
