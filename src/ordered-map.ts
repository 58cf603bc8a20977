interface Link<K, V> {
  key: K;
  value: V;
  older: Link<K, V> | undefined;
  newer: Link<K, V> | undefined;
}

/**
 * A map that keeps its entries in the order they were last set and finds the oldest in constant
 * time, for bounded caches that drop or pass over their oldest entry on every insert.
 *
 * A plain Map used that way is not constant: V8 leaves a hole for each deleted entry until it
 * rebuilds its table, and `keys().next()` steps over every hole at the front, so a Map that keeps
 * n entries by dropping its oldest one costs O(n) per insert.
 */
export class OrderedMap<K, V> {
  private readonly links = new Map<K, Link<K, V>>();
  private oldestLink: Link<K, V> | undefined;
  private newestLink: Link<K, V> | undefined;

  get size(): number {
    return this.links.size;
  }

  get(key: K): V | undefined {
    return this.links.get(key)?.value;
  }

  /** Sets the value of `key` and makes it the newest entry, whether or not it was there before. */
  set(key: K, value: V): void {
    const existing = this.links.get(key);
    if (existing) {
      existing.value = value;
      if (existing !== this.newestLink) {
        this.unlink(existing);
        this.append(existing);
      }
      return;
    }
    const link: Link<K, V> = { key, value, older: undefined, newer: undefined };
    this.links.set(key, link);
    this.append(link);
  }

  delete(key: K): boolean {
    const link = this.links.get(key);
    if (!link) return false;
    this.links.delete(key);
    this.unlink(link);
    return true;
  }

  /** The entry set longest ago, or undefined when the map is empty. */
  oldest(): { readonly key: K; readonly value: V } | undefined {
    return this.oldestLink;
  }

  /** Drops the oldest entries until at most `maxEntries` are left. */
  trimTo(maxEntries: number): void {
    while (this.links.size > maxEntries && this.oldestLink) this.delete(this.oldestLink.key);
  }

  clear(): void {
    this.links.clear();
    this.oldestLink = undefined;
    this.newestLink = undefined;
  }

  private append(link: Link<K, V>): void {
    link.older = this.newestLink;
    link.newer = undefined;
    if (this.newestLink) this.newestLink.newer = link;
    else this.oldestLink = link;
    this.newestLink = link;
  }

  private unlink(link: Link<K, V>): void {
    if (link.older) link.older.newer = link.newer;
    else this.oldestLink = link.newer;
    if (link.newer) link.newer.older = link.older;
    else this.newestLink = link.older;
    link.older = undefined;
    link.newer = undefined;
  }
}
