/** Most values of one chunk; a fuller chunk is split in two. */
const CHUNK_MAX = 512;

/** A chunk as it is read: an array, or what {@link SortedChunks}' `pack` made of a full one. */
type Chunk<T> = T[] | ArrayLike<T>;

/**
 * Packs a full chunk of agent numbers into 4 bytes a number, where an array takes 8; numbers
 * beyond 32 bits stay in their array.
 */
export function packNumbers(values: number[]): ArrayLike<number> {
  return (values[values.length - 1] as number) <= 0xffffffff ? Uint32Array.from(values) : values;
}

/**
 * Distinct values in ascending order, kept in chunks of at most {@link CHUNK_MAX}: an insert or a
 * removal moves the entries of one chunk, not of the whole list, and a walk from any value starts
 * after a binary search.
 */
export class SortedChunks<T> {
  private readonly chunks: Chunk<T>[] = [];
  private count = 0;

  constructor(
    private readonly compare: (a: T, b: T) => number,
    /**
     * Makes a compact, read-only form of a chunk that filled up at the end of the list, the chunk
     * least likely to change again; a change to it goes back to an array.
     * @defaultValue none: every chunk stays an array
     */
    private readonly pack?: (values: T[]) => ArrayLike<T>,
  ) {}

  get size(): number {
    return this.count;
  }

  /** Index of the first chunk whose last value is not below `value` (chunks.length when none). */
  private chunkFor(value: T): number {
    let low = 0;
    let high = this.chunks.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const chunk = this.chunks[middle] as Chunk<T>;
      if (this.compare(chunk[chunk.length - 1] as T, value) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Index of the first value of `chunk` not below `value`, or above it when `strictly`. */
  private indexIn(chunk: Chunk<T>, value: T, strictly: boolean): number {
    let low = 0;
    let high = chunk.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const order = this.compare(chunk[middle] as T, value);
      if (order < 0 || (strictly && order === 0)) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  has(value: T): boolean {
    const chunk = this.chunks[this.chunkFor(value)];
    if (!chunk) return false;
    const at = this.indexIn(chunk, value, false);
    return at < chunk.length && this.compare(chunk[at] as T, value) === 0;
  }

  /** Adds `value`; false when it was there already. */
  add(value: T): boolean {
    if (this.chunks.length === 0) {
      this.chunks.push([value]);
      this.count = 1;
      return true;
    }
    // A value above every other (a new agent's number) goes into the last chunk.
    const c = Math.min(this.chunkFor(value), this.chunks.length - 1);
    const at = this.indexIn(this.chunks[c] as Chunk<T>, value, false);
    const found = this.chunks[c] as Chunk<T>;
    if (at < found.length && this.compare(found[at] as T, value) === 0) return false;
    const chunk = this.changeable(c);
    chunk.splice(at, 0, value);
    this.count++;
    if (chunk.length > CHUNK_MAX) this.split(c, at === chunk.length - 1 && c === this.chunks.length - 1);
    return true;
  }

  /**
   * Splits the overfull chunk `c` into two arrays of their exact length: an array keeps the room it
   * grew to, and a chunk cut down in place would keep twice what it holds. A value added above
   * every other (new agents' numbers, in ascending order) leaves the full chunk as it is and starts
   * a new one, so a list that grows at its end fills every chunk but the last.
   */
  private split(c: number, appended: boolean): void {
    const chunk = this.chunks[c] as T[];
    const at = appended ? CHUNK_MAX : chunk.length >>> 1;
    const lower = chunk.slice(0, at);
    this.chunks.splice(c, 1, appended && this.pack ? this.pack(lower) : lower, chunk.slice(at));
  }

  /** Chunk `c` as an array that may change: a packed one is unpacked first. */
  private changeable(c: number): T[] {
    const chunk = this.chunks[c] as Chunk<T>;
    if (Array.isArray(chunk)) return chunk;
    const values = Array.from(chunk);
    this.chunks[c] = values;
    return values;
  }

  /** Removes `value`; false when it was not there. */
  delete(value: T): boolean {
    const c = this.chunkFor(value);
    const found = this.chunks[c];
    if (!found) return false;
    const at = this.indexIn(found, value, false);
    if (at === found.length || this.compare(found[at] as T, value) !== 0) return false;
    const chunk = this.changeable(c);
    chunk.splice(at, 1);
    this.count--;
    if (chunk.length === 0) this.chunks.splice(c, 1);
    return true;
  }

  /** The values strictly above `after` (every value when it is undefined), ascending. */
  *after(after?: T): Generator<T> {
    let c = after === undefined ? 0 : this.chunkFor(after);
    let at = after === undefined || c === this.chunks.length ? 0 : this.indexIn(this.chunks[c] as Chunk<T>, after, true);
    for (; c < this.chunks.length; c++, at = 0) {
      const chunk = this.chunks[c] as Chunk<T>;
      for (; at < chunk.length; at++) yield chunk[at] as T;
    }
  }

  /** About `count` values spread evenly over all of them, ascending. */
  sample(count: number): T[] {
    const step = Math.max(1, this.count / count);
    const picked: T[] = [];
    let next = 0;
    let seen = 0;
    for (const chunk of this.chunks) {
      while (next < seen + chunk.length) {
        picked.push(chunk[Math.floor(next) - seen] as T);
        next += step;
      }
      seen += chunk.length;
    }
    return picked;
  }
}
