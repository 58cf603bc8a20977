import { performance } from 'node:perf_hooks';

/** How often the stall clock looks at the event loop, in milliseconds: the finest stall it sees. */
const TICK_MS = 20;

/**
 * Sums the time this process's event loop could not run timers (it was busy with other work).
 * A Redis reply that arrived during such a stall sits unread in the socket, so a deadline on a
 * Redis command must not count that time against Redis: see {@link responsiveTimeout}.
 */
export class EventLoopStalls {
  private stalledMs = 0;
  private lastTick = performance.now();

  constructor() {
    setInterval(() => {
      const now = performance.now();
      this.stalledMs += Math.max(0, now - this.lastTick - TICK_MS);
      this.lastTick = now;
    }, TICK_MS).unref();
  }

  /** Milliseconds of stall so far, the one going on now included. */
  total(): number {
    return this.stalledMs + Math.max(0, performance.now() - this.lastTick - TICK_MS);
  }
}

let shared: EventLoopStalls | undefined;

/** The process's one stall clock, started on first use. */
export function eventLoopStalls(): EventLoopStalls {
  shared ??= new EventLoopStalls();
  return shared;
}

/**
 * Calls `onExpire` once `ms` milliseconds have passed during which the event loop was free, so a
 * busy replica does not blame Redis for its own delay. `onTimer` is told of each timer armed (the
 * first and any re-armed after a stall) so that its owner can clear it.
 */
export function responsiveTimeout(ms: number, onExpire: () => void, onTimer: (timer: NodeJS.Timeout) => void = () => {}, stalls = eventLoopStalls()): void {
  const startedAt = performance.now();
  const stalledAtStart = stalls.total();
  const check = () => {
    const responsiveMs = performance.now() - startedAt - (stalls.total() - stalledAtStart);
    if (responsiveMs >= ms) onExpire();
    else onTimer(setTimeout(check, Math.max(1, ms - responsiveMs)));
  };
  onTimer(setTimeout(check, ms));
}
