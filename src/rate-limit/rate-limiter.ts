/**
 * Requests are counted against one of two budgets: reads are cheap and many, writes fewer. Failed
 * authentications have a budget of their own, per client address.
 */
export type Budget = 'read' | 'write' | 'failedAuth';

/** How many requests of each budget one HTTP request counts as (a JSON-RPC batch: one per call). */
export type Charges = Partial<Record<Budget, number>>;

/** The outcome of counting one request, with what the RateLimit headers tell the client. */
export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

/** Counts requests per caller and budget in fixed windows. */
export interface RateLimiter {
  /** Counts `count` requests (default 1) at once. */
  consume(caller: string, budget: Budget, count?: number): Promise<RateLimitDecision>;
}

export interface RateLimits {
  /** Requests per window for each budget; 0 means unlimited. */
  read: number;
  write: number;
  failedAuth: number;
  windowSeconds: number;
}

export function decide(limit: number, count: number, resetMs: number): RateLimitDecision {
  return { allowed: count <= limit, limit, remaining: Math.max(0, limit - count), resetSeconds: Math.max(1, Math.ceil(resetMs / 1000)) };
}

/** The embedded limiter for a single process: windows kept in memory, dropped when they end. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { endsAt: number; count: number }>();

  constructor(private readonly limits: RateLimits) {}

  async consume(caller: string, budget: Budget, count = 1): Promise<RateLimitDecision> {
    const now = Date.now();
    const key = `${budget}:${caller}`;
    let window = this.windows.get(key);
    if (!window || window.endsAt <= now) {
      if (this.windows.size > 100_000) this.dropEnded(now);
      window = { endsAt: now + this.limits.windowSeconds * 1000, count: 0 };
      this.windows.set(key, window);
    }
    window.count += count;
    return decide(this.limits[budget], window.count, window.endsAt - now);
  }

  private dropEnded(now: number): void {
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
  }
}
