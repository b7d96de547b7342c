/**
 * A token bucket: up to `limit` at once, refilled evenly over `intervalMs`. Placing calls uses one
 * bucket for the process (the cost lands on one Twilio account whoever asks); transcripts one per
 * connection.
 */
/** One answer shared by every granted take: transcripts take a token each. */
const TAKEN: { readonly ok: true } = Object.freeze({ ok: true });

export class RateLimit {
  readonly #limit: number;
  readonly #intervalMs: number;
  readonly #now: () => number;
  #tokens: number;
  #updatedAt: number;

  constructor(limit: number, intervalMs = 60_000, now: () => number = Date.now) {
    this.#limit = limit;
    this.#intervalMs = intervalMs;
    this.#now = now;
    this.#tokens = limit;
    this.#updatedAt = now();
  }

  /** Whether a token is there to take, without taking it. */
  available(): boolean {
    this.#refill();
    return this.#tokens >= 1;
  }

  /** Seconds until a token is there (0 if one is now). */
  retryAfterSeconds(): number {
    this.#refill();
    return this.#tokens >= 1 ? 0 : Math.ceil(((1 - this.#tokens) * this.#intervalMs) / this.#limit / 1000);
  }

  /** Takes a token; when none is left, says how many seconds until one is. */
  take(): { readonly ok: true } | { ok: false; retryAfterSeconds: number } {
    this.#refill();
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return TAKEN;
    }
    return { ok: false, retryAfterSeconds: this.retryAfterSeconds() };
  }

  #refill(): void {
    const now = this.#now();
    this.#tokens = Math.min(this.#limit, this.#tokens + ((now - this.#updatedAt) * this.#limit) / this.#intervalMs);
    this.#updatedAt = now;
  }
}
