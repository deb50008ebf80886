// A Map that holds at most `capacity` entries and drops the least recently used one first: the bound
// on the template caches, whose keys are template sources an admin can edit without end.

export class LruMap<K, V> {
  // A Map iterates in insertion order, so re-inserting on every hit keeps the least recent entry first.
  readonly #entries = new Map<K, V>();

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`an LruMap holds at least one entry, not ${capacity}`);
  }

  get size(): number {
    return this.#entries.size;
  }

  has(key: K): boolean {
    return this.#entries.has(key);
  }

  /** The value for key, which now counts as the most recently used. */
  get(key: K): V | undefined {
    if (!this.#entries.has(key)) return undefined;
    const value = this.#entries.get(key) as V;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  set(key: K, value: V): this {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value as K);
    return this;
  }

  /** The value for key, made (and kept) on a miss. A make() that throws keeps nothing. */
  getOrSet(key: K, make: (key: K) => V): V {
    if (this.#entries.has(key)) return this.get(key) as V;
    const value = make(key);
    this.set(key, value);
    return value;
  }
}
