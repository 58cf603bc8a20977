import { OrderedMap } from '../ordered-map.js';
import type { AgentRecord } from '../store/agent-record.js';

export interface RecordCacheOptions {
  /** Most records held; 0 turns the cache off. */
  maxEntries: number;
  /** Most bytes held, counting each record's card and summary as text and as the UTF-8 the presenters keep. */
  maxBytes: number;
}

/** What the cache did, for metrics. */
export interface RecordCacheEvents {
  onHit?(): void;
  onMiss?(): void;
  onEvict?(): void;
}

interface Slot {
  record: AgentRecord;
  bytes: number;
  /** Read since eviction last passed over it. */
  read: boolean;
}

/** How many recent invalidations are remembered to refuse records read before them. */
export const REMEMBERED_INVALIDATIONS = 10_000;

/**
 * A record's footprint: its texts at up to two bytes a character, plus the card bytes and the
 * results entry the presenters keep for each record object (about one byte a character).
 */
const sizeOf = (record: AgentRecord) => 3 * (record.card.length + JSON.stringify(record.summary).length) + 500;

/**
 * A replica's cache of agent records, bounded by entries and bytes, that evicts the records read
 * least recently, approximately: a hit only marks its entry (second chance, or CLOCK), and eviction
 * moves a marked entry to the back, unmarked, instead of dropping it. Moving every hit to the back
 * instead (exact LRU), when the entries were kept in a plain Map, rewrote it on each of a page's
 * fifty reads, and V8 rebuilt its table every thousand or so moves, in the old generation where the
 * Map lives: at 1,365 list pages a second, a fifth of what filled the old generation between full
 * collections.
 *
 * Invalidations carry the revision of the write; the cache remembers the newest one per id and
 * refuses a record older than it, so a read that raced a write can never put a stale record back.
 * While the cache is suspended (its invalidation feed is down) it holds and accepts nothing.
 */
export class RecordCache {
  /** Oldest first: eviction passes over them in that order. */
  private readonly slots = new OrderedMap<string, Slot>();
  /** Newest invalidation per id, the least recently invalidated first. */
  private readonly floors = new OrderedMap<string, number>();
  private bytes = 0;
  private suspended = false;

  constructor(
    private readonly options: RecordCacheOptions,
    private readonly events: RecordCacheEvents = {},
  ) {}

  /** The cached record when it is at least `minRevision` recent. */
  get(id: string, minRevision = 0): AgentRecord | undefined {
    const slot = this.slots.get(id);
    if (!slot || slot.record.revision < minRevision) {
      this.events.onMiss?.();
      return undefined;
    }
    slot.read = true;
    this.events.onHit?.();
    return slot.record;
  }

  /** Keeps a record just read from the store, unless an invalidation newer than it arrived meanwhile. */
  set(record: AgentRecord): void {
    if (this.suspended || this.options.maxEntries === 0) return;
    if (record.revision < (this.floors.get(record.id) ?? 0)) return;
    const bytes = sizeOf(record);
    if (bytes > this.options.maxBytes) return;
    this.drop(record.id);
    this.slots.set(record.id, { record, bytes, read: false });
    this.bytes += bytes;
    while (this.slots.size > this.options.maxEntries || this.bytes > this.options.maxBytes) this.evictOne();
  }

  /** Drops the entry of `id` when it is older than `revision`; records older than it are refused from now on. */
  invalidate(id: string, revision: number): void {
    if ((this.slots.get(id)?.record.revision ?? 0) < revision) this.drop(id);
    this.floors.set(id, Math.max(revision, this.floors.get(id) ?? 0));
    this.floors.trimTo(REMEMBERED_INVALIDATIONS);
  }

  /** Drops every entry and every remembered invalidation: the data set they belong to is gone, and its revisions begin again. */
  reset(): void {
    this.clear();
    this.floors.clear();
  }

  /** Empties the cache and accepts nothing until resumed: the invalidation feed can no longer be trusted. */
  suspend(): void {
    this.suspended = true;
    this.clear();
  }

  /** Accepts records again, starting empty, once invalidations flow again. */
  resume(): void {
    this.clear();
    this.suspended = false;
  }

  get size(): number {
    return this.slots.size;
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  private clear(): void {
    this.slots.clear();
    this.bytes = 0;
  }

  /** Drops the oldest entry not read since eviction last passed over it; read ones go to the back, unmarked. */
  private evictOne(): void {
    for (let oldest = this.slots.oldest(); oldest; oldest = this.slots.oldest()) {
      const { key: id, value: slot } = oldest;
      if (!slot.read) {
        this.drop(id);
        this.events.onEvict?.();
        return;
      }
      slot.read = false;
      this.slots.set(id, slot);
    }
  }

  private drop(id: string): void {
    const slot = this.slots.get(id);
    if (!slot) return;
    this.slots.delete(id);
    this.bytes -= slot.bytes;
  }
}
