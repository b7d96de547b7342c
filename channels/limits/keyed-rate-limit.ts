import { RateLimit } from "./rate-limit.js";
import { RecencyMap } from "./recency-map.js";

/**
 * One token bucket per key (a call's stream), remembering a bounded number of keys: the least
 * recently used bucket is forgotten first, which only ever grants a forgotten key a fresh bucket.
 */
export class KeyedRateLimit {
  readonly #limit: number;
  readonly #intervalMs: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #buckets: RecencyMap<RateLimit>;

  constructor(options: { limit: number; intervalMs: number; maxKeys?: number; now?: () => number }) {
    this.#limit = options.limit;
    this.#intervalMs = options.intervalMs;
    this.#maxKeys = options.maxKeys ?? 10_000;
    this.#now = options.now ?? Date.now;
    this.#buckets = new RecencyMap(() => new RateLimit(this.#limit, this.#intervalMs, this.#now));
  }

  get limit(): number {
    return this.#limit;
  }

  take(key: string): boolean {
    // A call's stream sends its transcripts in a row: RecencyMap moves nothing for those.
    const bucket = this.#buckets.use(key);
    this.#buckets.trimTo(this.#maxKeys);
    return bucket.take().ok;
  }
}
