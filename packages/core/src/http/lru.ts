/**
 * A least-recently-used cache bounded by bytes, not by entries: a layer's cache must hold many
 * small files or a few large ones within the same memory. The newest value is always kept, even
 * past the budget, so a file larger than the budget can still be served chunk by chunk.
 */
export class ByteLru<K> {
  readonly budget: number;
  #bytes = 0;
  readonly #map = new Map<K, Uint8Array>();
  readonly #inflight = new Map<K, Promise<Uint8Array>>();

  /** @param budget Bytes to hold at most (besides the newest value). */
  constructor(budget: number) {
    this.budget = budget;
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#map.size;
  }

  /** The value, marked as just used. */
  get(key: K): Uint8Array | undefined {
    const value = this.#map.get(key);
    if (value !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, value);
    }
    return value;
  }

  has(key: K): boolean {
    return this.#map.has(key);
  }

  set(key: K, value: Uint8Array): void {
    this.delete(key);
    this.#map.set(key, value);
    this.#bytes += value.length;
    // Map iteration is insertion order: the first key is the least recently used.
    for (const [k, v] of this.#map) {
      if (this.#bytes <= this.budget || k === key) break;
      this.#map.delete(k);
      this.#bytes -= v.length;
    }
  }

  delete(key: K): void {
    const old = this.#map.get(key);
    if (old === undefined) return;
    this.#map.delete(key);
    this.#bytes -= old.length;
  }

  clear(): void {
    this.#map.clear();
    this.#bytes = 0;
  }

  /**
   * The value for `key`, loading it with `load` when absent: concurrent callers
   * share one load, a result is kept, a failure is not (the next call tries again).
   *
   * @example
   * ```ts
   * const bytes = await cache.load(entry, () => fetchEntry(entry));
   * ```
   */
  load(key: K, load: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const cached = this.get(key);
    if (cached) return Promise.resolve(cached);
    let pending = this.#inflight.get(key);
    if (!pending) {
      pending = load().then(
        (bytes) => {
          this.#inflight.delete(key);
          this.set(key, bytes);
          return bytes;
        },
        (error: unknown) => {
          this.#inflight.delete(key);
          throw error;
        },
      );
      this.#inflight.set(key, pending);
    }
    return pending;
  }
}
