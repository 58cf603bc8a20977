import { OrderedMap } from '../ordered-map.js';
import type { KeptOutcome } from './agent-record.js';

/**
 * Most outcomes the embedded store keeps for retries. Past it the oldest are forgotten before their
 * time, so that a process that takes writes for a day does not keep every one of them.
 */
export const MAX_KEPT_OUTCOMES = 100_000;

interface Kept {
  outcome: KeptOutcome;
  expiresAt: number;
}

/**
 * The embedded store's outcomes of writes made under idempotency keys, each for its time. Every
 * write keeps its outcome for the same configured time, so the order of keeping is the order of
 * expiry and the expired ones are always at the front.
 */
export class KeptOutcomes {
  private readonly byKey = new OrderedMap<string, Kept>();

  constructor(
    /** @defaultValue {@link MAX_KEPT_OUTCOMES} */
    private readonly maxEntries = MAX_KEPT_OUTCOMES,
  ) {}

  get(key: string, now: number): KeptOutcome | undefined {
    const kept = this.byKey.get(key);
    return kept && kept.expiresAt > now ? kept.outcome : undefined;
  }

  keep(key: string, outcome: KeptOutcome, ttlSeconds: number, now: number): void {
    this.byKey.set(key, { outcome, expiresAt: now + ttlSeconds * 1000 });
    for (let oldest = this.byKey.oldest(); oldest && oldest.value.expiresAt <= now; oldest = this.byKey.oldest()) {
      this.byKey.delete(oldest.key);
    }
    this.byKey.trimTo(this.maxEntries);
  }

  get size(): number {
    return this.byKey.size;
  }
}
