/**
 * A token bucket: up to `perMinute` at once, refilled evenly over a minute. Placing calls has
 * one bucket for the process, not per client: the cost lands on one Twilio account whoever asks.
 */
export class RateLimit {
  readonly #perMinute: number;
  readonly #now: () => number;
  #tokens: number;
  #updatedAt: number;

  constructor(perMinute: number, now: () => number = Date.now) {
    this.#perMinute = perMinute;
    this.#now = now;
    this.#tokens = perMinute;
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
    return this.#tokens >= 1 ? 0 : Math.ceil(((1 - this.#tokens) * 60) / this.#perMinute);
  }

  /** Takes a token; when none is left, says how many seconds until one is. */
  take(): { ok: true } | { ok: false; retryAfterSeconds: number } {
    this.#refill();
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: this.retryAfterSeconds() };
  }

  #refill(): void {
    const now = this.#now();
    this.#tokens = Math.min(this.#perMinute, this.#tokens + ((now - this.#updatedAt) * this.#perMinute) / 60_000);
    this.#updatedAt = now;
  }
}
