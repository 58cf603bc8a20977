import { OrderedMap } from '../ordered-map.js';

/** How many agent number -> id pairs a replica keeps by default. */
export const DEFAULT_KNOWN_AGENT_NUMBERS = 100_000;

/**
 * A replica's memory of which agent id each agent number stands for, so that a search page's
 * numbers become ids without a read of Redis's number -> id hashes (one per result, scattered over
 * memory Redis has to fetch from far away). A number is given once, by a counter that only grows,
 * and never to another agent while the data set lasts, so a pair stays true as long as its agent
 * exists. What can break that is Redis losing writes (a restart from an older snapshot, a failover
 * to a replica that missed the last ones): the counter may then give a number again. So the
 * composition root (`src/registry.ts`) makes it forget every pair on each reconnection and on a data
 * set loss, the moments such a Redis appears. Past its bound, the oldest pairs are forgotten first.
 */
export class AgentIdsByNumber {
  private readonly ids = new OrderedMap<number, string>();

  /** @param maxEntries - Most pairs kept; 0 keeps none. @defaultValue {@link DEFAULT_KNOWN_AGENT_NUMBERS} */
  constructor(private readonly maxEntries = DEFAULT_KNOWN_AGENT_NUMBERS) {}

  get(agentNumber: number): string | undefined {
    return this.ids.get(agentNumber);
  }

  /** Keeps a pair just read from Redis. */
  remember(agentNumber: number, id: string): void {
    if (this.maxEntries === 0) return;
    this.ids.set(agentNumber, id);
    this.ids.trimTo(this.maxEntries);
  }

  forgetAll(): void {
    this.ids.clear();
  }

  get size(): number {
    return this.ids.size;
  }
}
