import { RateLimit } from "./rate-limit.js";

/**
 * One token bucket per key (a call's stream), remembering a bounded number of keys: the least
 * recently used bucket is forgotten first, which only ever grants a forgotten key a fresh bucket.
 */
export class KeyedRateLimit {
  readonly #limit: number;
  readonly #intervalMs: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, RateLimit>();
  /** The key set last, i.e. the last in #buckets' order. */
  #newest: string | undefined;

  constructor(options: { limit: number; intervalMs: number; maxKeys?: number; now?: () => number }) {
    this.#limit = options.limit;
    this.#intervalMs = options.intervalMs;
    this.#maxKeys = options.maxKeys ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  get limit(): number {
    return this.#limit;
  }

  take(key: string): boolean {
    let bucket = this.#buckets.get(key);
    // A call's stream sends its transcripts in a row: when the key is already the most recent,
    // moving it to the end again would only cost a Map delete and insert (and V8's table
    // rebuilds they cause) per transcript.
    if (bucket === undefined || key !== this.#newest) {
      bucket ??= new RateLimit(this.#limit, this.#intervalMs, this.#now);
      this.#buckets.delete(key);
      this.#buckets.set(key, bucket);
      this.#newest = key;
    }
    if (this.#buckets.size > this.#maxKeys) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest !== undefined) this.#buckets.delete(oldest);
    }
    return bucket.take().ok;
  }
}
