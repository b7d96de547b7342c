/**
 * A Map kept in order of use, least recent first, so that a bound drops the entry idle longest.
 * Keys used in a row (a call's transcripts, its timeline's events) are the common case: when the
 * key is already the most recent, using it again moves nothing, which spares a Map delete and
 * insert (and the table rebuilds V8 does for them) per use.
 */
export class RecencyMap<V> {
  readonly #entries = new Map<string, V>();
  readonly #create: () => V;
  /** The key used last, i.e. the last in #entries' order (when it is still there). */
  #newest: string | undefined;

  /** `create` makes the value of a key used for the first time (or again after it was dropped). */
  constructor(create: () => V) {
    this.#create = create;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The key's value, without counting as a use. */
  peek(key: string): V | undefined {
    return this.#entries.get(key);
  }

  /** The key's value, made if absent, and now the most recently used. */
  use(key: string): V {
    let value = this.#entries.get(key);
    if (value === undefined || key !== this.#newest) {
      value ??= this.#create();
      this.#entries.delete(key);
      this.#entries.set(key, value);
      this.#newest = key;
    }
    return value;
  }

  /** Drops the least recently used entries until at most `max` remain. */
  trimTo(max: number): void {
    while (this.#entries.size > max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) return;
      this.#entries.delete(oldest);
    }
  }
}
