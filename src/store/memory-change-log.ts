import { randomUUID } from 'node:crypto';
import { comparePositions, START_POSITION, type ChangeRead, type StoredChange } from './change-log.js';

/**
 * The embedded store's change log: the newest `keep` events in order, positions made like a Redis
 * stream's (`ms-seq`). Its epoch is new with every process, since a restart loses the log too.
 */
export class MemoryChangeLog {
  readonly epoch = randomUUID();
  private events: StoredChange[] = [];
  /** How many events at the front of `events` are trimmed away and wait for the array to be compacted. */
  private dropped = 0;
  private lastMs = 0;
  private lastSeq = 0;
  private last = START_POSITION;
  private trimmedThrough = START_POSITION;

  constructor(
    /** How many events it keeps. */
    private readonly keep: number,
  ) {}

  append(change: Omit<StoredChange, 'position'>): string {
    const now = Date.now();
    if (now > this.lastMs) [this.lastMs, this.lastSeq] = [now, 0];
    else this.lastSeq++;
    this.last = `${this.lastMs}-${this.lastSeq}`;
    this.events.push({ position: this.last, ...change });
    if (this.events.length - this.dropped > this.keep) this.trimmedThrough = (this.events[this.dropped++] as StoredChange).position;
    // Compacting now and then keeps trimming cheap without letting trimmed events pile up.
    if (this.dropped > this.keep) [this.events, this.dropped] = [this.events.slice(this.dropped), 0];
    return this.last;
  }

  read(after: string | undefined, limit: number): ChangeRead {
    let from = this.dropped;
    if (after !== undefined) {
      let high = this.events.length;
      while (from < high) {
        const middle = (from + high) >>> 1;
        if (comparePositions((this.events[middle] as StoredChange).position, after) <= 0) from = middle + 1;
        else high = middle;
      }
    }
    return { epoch: this.epoch, events: this.events.slice(from, from + limit), last: this.last, trimmedThrough: this.trimmedThrough };
  }
}
