import { RawJson } from '../http/json-text.js';
import { OrderedMap } from '../ordered-map.js';
import type { AgentRecord } from '../store/agent-record.js';

/** Bytes of page JSON one replica keeps: about 170 pages of fifty 1.3 KB cards and their entries. */
export const PAGE_CACHE_BYTES = 16 * 1024 * 1024;

/** What the cache did, for metrics. */
export interface PageJsonCacheEvents {
  onHit?(): void;
  onMiss?(): void;
}

interface KeptPage {
  records: readonly AgentRecord[];
  json: RawJson;
}

const sameObjects = (a: readonly AgentRecord[], b: readonly AgentRecord[]) =>
  a.length === b.length && a.every((record, index) => record === b[index]);

/**
 * The JSON of recently served pages of agents, served again while a page shows the same record
 * objects. The replica's record cache hands out one object per record until the record changes
 * or is evicted, so an unchanged page is recognised by identity, without comparing its content.
 * Putting a page of fifty cards together took about a fifth of a listing's CPU time, and a new
 * ~95 KB buffer each time. The oldest pages are dropped first beyond `maxBytes`.
 */
export class PageJsonCache {
  private readonly pages = new OrderedMap<string, KeptPage>();
  private keptBytes = 0;

  constructor(
    /** Most bytes of JSON kept; 0 keeps none (without a record cache, records are new objects on every read). @defaultValue {@link PAGE_CACHE_BYTES} */
    private readonly maxBytes = PAGE_CACHE_BYTES,
    private readonly events: PageJsonCacheEvents = {},
  ) {}

  /**
   * The page's JSON: kept from an earlier call with the same `key` and the same record objects,
   * else `render()`'s, then kept. `key` must name everything else the JSON is made of.
   */
  jsonOf(key: string, records: readonly AgentRecord[], render: () => Buffer): RawJson {
    const kept = this.pages.get(key);
    if (kept && sameObjects(kept.records, records)) {
      this.pages.set(key, kept);
      this.events.onHit?.();
      return kept.json;
    }
    this.events.onMiss?.();
    const json = new RawJson(render());
    this.forget(key);
    if (json.bytes.length <= this.maxBytes) {
      this.pages.set(key, { records, json });
      this.keptBytes += json.bytes.length;
      for (let oldest = this.pages.oldest(); oldest && this.keptBytes > this.maxBytes; oldest = this.pages.oldest()) this.forget(oldest.key);
    }
    return json;
  }

  /** Bytes of JSON kept now. */
  get bytes(): number {
    return this.keptBytes;
  }

  private forget(key: string): void {
    const kept = this.pages.get(key);
    if (!kept) return;
    this.pages.delete(key);
    this.keptBytes -= kept.json.bytes.length;
  }
}
