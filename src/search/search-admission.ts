import { createHash } from 'node:crypto';
import { UnavailableError } from '../errors.js';
import { OrderedMap } from '../ordered-map.js';
import type { TermSearch, TermSearchPage } from '../store/agent-store.js';

/** How a replica keeps costly search walks from crowding Redis. */
export interface SearchAdmissionOptions {
  /**
   * Costly walks one replica runs at once; the others wait for a turn, in arrival order. Redis
   * runs one command at a time, and a replica sends its commands down one connection, so every
   * walk in flight delays each request behind it. The price: while a replica turns a walk's
   * answer round, Redis may idle, so one replica alone serves fewer broad searches than it would
   * unlimited (`bench/RESULTS.md`). 0 lets every walk run at once. @defaultValue 2
   */
  concurrency: number;
  /** Work (the store's {@link TermSearchPage.work}: candidates examined) above which a search shape is costly. @defaultValue 256 */
  costlyWork: number;
  /** Costly walks that may wait at once; a walk beyond them is refused with a 503. @defaultValue 1024 */
  maxWaiting: number;
  /** Search shapes whose last cost a replica remembers, the least recently used forgotten first. @defaultValue 8192 */
  rememberedShapes: number;
}

export const DEFAULT_SEARCH_ADMISSION: SearchAdmissionOptions = { concurrency: 2, costlyWork: 256, maxWaiting: 1024, rememberedShapes: 8192 };

/** What admission did, for metrics. */
export interface SearchAdmissionEvents {
  /** A costly walk waited `seconds` for its turn (0 when one was free). */
  onTurn?(seconds: number): void;
  /** A costly walk was refused: too many were waiting. */
  onRefused?(): void;
}

/**
 * The parts of a search that decide its cost, digested: a search may name hundreds of long terms,
 * and the shapes remembered must stay small. The cursor is left out: a shape costs about the same
 * on every page.
 */
const shapeOf = (search: TermSearch) =>
  createHash('sha256')
    .update(JSON.stringify([search.terms, search.preferred, search.includeInactive]))
    .digest('base64');

/**
 * Turns for costly search walks on one replica. A walk's cost is known only once it ran, so each
 * search shape's last cost is remembered, and a shape never seen is treated as costly: a rare
 * search waits only the first time a replica sees it, and a stream of new broad ones cannot jump
 * the queue. Cheap walks run at once, so a rare search or a read of one agent never queues behind
 * more than `concurrency` costly walks in Redis.
 */
export class SearchAdmission {
  private readonly costs = new OrderedMap<string, number>();
  private readonly waiting: (() => void)[] = [];
  private running = 0;

  constructor(
    private readonly options: SearchAdmissionOptions = DEFAULT_SEARCH_ADMISSION,
    private readonly events: SearchAdmissionEvents = {},
  ) {}

  /** `walk(search)`, at once when its shape is known to be cheap (or there is no limit), else in its turn. */
  async run(search: TermSearch, walk: (search: TermSearch) => Promise<TermSearchPage>): Promise<TermSearchPage> {
    if (this.options.concurrency === 0) return walk(search);
    const shape = shapeOf(search);
    const known = this.costs.get(shape);
    if (known !== undefined && known <= this.options.costlyWork) return this.remembered(shape, await walk(search));
    await this.turn();
    // The turn ends when the store has walked the index; what follows (its hits' ids) is light.
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      this.leave();
    };
    try {
      return this.remembered(shape, await walk({ ...search, onWalked: leave }));
    } finally {
      leave();
    }
  }

  /** Costly walks waiting for a turn now. */
  get queued(): number {
    return this.waiting.length;
  }

  private remembered(shape: string, page: TermSearchPage): TermSearchPage {
    this.costs.set(shape, page.work);
    this.costs.trimTo(this.options.rememberedShapes);
    return page;
  }

  private async turn(): Promise<void> {
    if (this.running < this.options.concurrency) {
      this.running++;
      this.events.onTurn?.(0);
      return;
    }
    if (this.waiting.length >= this.options.maxWaiting) {
      this.events.onRefused?.();
      throw new UnavailableError('Too many costly searches are waiting: try again in a moment', 1);
    }
    const since = performance.now();
    // The walk that leaves hands its turn over: `running` stays as it was.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.events.onTurn?.((performance.now() - since) / 1000);
  }

  private leave(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
