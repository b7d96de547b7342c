/**
 * At most one log line per key per interval: a flood must be visible in the log without becoming
 * a flood of log lines. Remembers a bounded number of keys.
 */
export class LogThrottle {
  readonly #intervalMs: number;
  readonly #maxKeys: number;
  readonly #lastLogged = new Map<string, number>();

  constructor(intervalMs: number, maxKeys = 1_000) {
    this.#intervalMs = intervalMs;
    this.#maxKeys = maxKeys;
  }

  shouldLog(key: string, now: number = Date.now()): boolean {
    const last = this.#lastLogged.get(key);
    if (last !== undefined && now - last < this.#intervalMs) return false;
    this.#lastLogged.delete(key);
    this.#lastLogged.set(key, now);
    if (this.#lastLogged.size > this.#maxKeys) {
      const oldest = this.#lastLogged.keys().next().value;
      if (oldest !== undefined) this.#lastLogged.delete(oldest);
    }
    return true;
  }
}
