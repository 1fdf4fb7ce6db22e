/**
 * A cache bounded in entries and in bytes (as the caller measures them): the least recently used
 * entries go first. An entry's size may be given later (`resize`), once it is known.
 */
export class LruCache<K, V> {
  private readonly entries = new Map<K, { value: V; bytes: number }>();
  private bytes = 0;

  constructor(private readonly limits: { maxEntries: number; maxBytes: number }) {}

  get size(): number {
    return this.entries.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // Most recently used last: Map keeps insertion order.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V, bytes = 0): void {
    this.delete(key);
    this.entries.set(key, { value, bytes });
    this.bytes += bytes;
    this.evict(key);
  }

  /** Gives a cached entry its size; one larger than the whole cache is not kept. */
  resize(key: K, bytes: number): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.bytes += bytes - entry.bytes;
    entry.bytes = bytes;
    this.evict(key);
  }

  delete(key: K): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  /** Drops the least recently used until within bounds; `kept` goes last, if it must go. */
  private evict(kept: K): void {
    const over = () =>
      this.entries.size > this.limits.maxEntries || this.bytes > this.limits.maxBytes;
    for (const key of [...this.entries.keys()]) {
      if (!over()) return;
      if (key !== kept) this.delete(key);
    }
    if (over()) this.delete(kept);
  }
}
