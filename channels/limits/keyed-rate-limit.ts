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
    const bucket = this.#buckets.get(key) ?? new RateLimit(this.#limit, this.#intervalMs, this.#now);
    this.#buckets.delete(key);
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > this.#maxKeys) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest !== undefined) this.#buckets.delete(oldest);
    }
    return bucket.take().ok;
  }
}
