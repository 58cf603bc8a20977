import { OrderedMap } from '../ordered-map.js';

/** How many agent number -> id pairs a replica keeps by default. */
export const DEFAULT_KNOWN_AGENT_NUMBERS = 100_000;

/**
 * A replica's memory of which agent id each agent number stands for, so that a search page's
 * numbers become ids without a read of Redis's number -> id hashes (one per result, scattered over
 * memory Redis has to fetch from far away). A number is given once, by a counter that only grows,
 * and never to another agent while the data set lasts, so a pair stays true as long as its agent
 * exists. What can break that is Redis losing writes (a restart from an older snapshot, a failover
 * to a replica that missed the last ones): the counter may then give a number again. So it forgets
 * every pair when a search finds the counter below a value it saw before, and the composition root
 * (`src/registry.ts`) makes it forget every pair on each reconnection, on a data set loss and
 * whenever the invalidation feed goes down or comes back, and an agent's pair on each write to that
 * agent: an agent whose registration was lost and that registers again is written, so its old
 * number is forgotten before the agent that took that number could be shown as it. Past its bound,
 * the oldest pairs are forgotten first.
 */
export class AgentIdsByNumber {
  private readonly ids = new OrderedMap<number, string>();
  private readonly numbers = new Map<string, number>();
  /** The highest value of the agent number counter seen since the pairs were last forgotten. */
  private highestCounter = 0;

  /** @param maxEntries - Most pairs kept; 0 keeps none. @defaultValue {@link DEFAULT_KNOWN_AGENT_NUMBERS} */
  constructor(private readonly maxEntries = DEFAULT_KNOWN_AGENT_NUMBERS) {}

  get(agentNumber: number): string | undefined {
    return this.ids.get(agentNumber);
  }

  /** Keeps a pair just read from Redis; an agent has one number at a time. */
  remember(agentNumber: number, id: string): void {
    if (this.maxEntries === 0) return;
    this.forget(id);
    this.ids.set(agentNumber, id);
    this.numbers.set(id, agentNumber);
    for (let oldest = this.ids.oldest(); oldest && this.ids.size > this.maxEntries; oldest = this.ids.oldest()) this.forgetNumber(oldest.key);
  }

  /** The agent number counter as a read just saw it: below what was seen before, Redis lost numbers it had given, and may give them again. */
  sawCounter(counter: number): void {
    if (counter < this.highestCounter) this.forgetAll();
    this.highestCounter = Math.max(this.highestCounter, counter);
  }

  /** Forgets the pair of agent `id`, which was just written. */
  forget(id: string): void {
    const agentNumber = this.numbers.get(id);
    if (agentNumber !== undefined) this.forgetNumber(agentNumber);
  }

  forgetAll(): void {
    this.ids.clear();
    this.numbers.clear();
    this.highestCounter = 0;
  }

  get size(): number {
    return this.ids.size;
  }

  private forgetNumber(agentNumber: number): void {
    const id = this.ids.get(agentNumber);
    this.ids.delete(agentNumber);
    if (id !== undefined) this.numbers.delete(id);
  }
}
