/**
 * A least-recently-used cache bounded by bytes, not by entries: a layer's cache must hold many
 * small files or a few large ones within the same memory. The newest value is always kept, even
 * past the budget, so a file larger than the budget can still be served chunk by chunk.
 */
export class ByteLru<K> {
  readonly budget: number;
  #bytes = 0;
  readonly #map = new Map<K, Uint8Array>();

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
}
