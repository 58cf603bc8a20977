import { raceDeadline } from '../deadline.js';

/** How long a scrape waits for a value read from Redis, in milliseconds: a scrape answers within a second. */
export const SCRAPE_READ_TIMEOUT_MS = 250;

/**
 * A scrape-time read that answers within `timeoutMs`: the value, or undefined when it is late or
 * failed (the gauge then keeps its last known value). A read still running is joined, not repeated,
 * so a Redis that is down or stalled never collects more than one waiting read per gauge.
 */
export function boundedRead<T>(read: () => Promise<T>, timeoutMs = SCRAPE_READ_TIMEOUT_MS): () => Promise<T | undefined> {
  let inFlight: Promise<T | undefined> | undefined;
  return async () => {
    inFlight ??= read()
      .catch(() => undefined)
      .finally(() => (inFlight = undefined));
    return raceDeadline(inFlight, timeoutMs, () => undefined);
  };
}
