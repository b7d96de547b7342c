import { RecencyMap } from "./recency-map.js";

/**
 * At most one log line per key per interval: a flood must be visible in the log without becoming
 * a flood of log lines. Remembers a bounded number of keys: the key logged longest ago is
 * forgotten first (a suppressed line does not count as a use), which only ever lets a forgotten
 * key log again early.
 */
export class LogThrottle {
  readonly #intervalMs: number;
  readonly #maxKeys: number;
  readonly #lastLogged = new RecencyMap<{ at: number }>(() => ({ at: 0 }));

  constructor(intervalMs: number, maxKeys = 1_000) {
    this.#intervalMs = intervalMs;
    this.#maxKeys = maxKeys;
  }

  shouldLog(key: string, now: number = Date.now()): boolean {
    const last = this.#lastLogged.peek(key);
    if (last !== undefined && now - last.at < this.#intervalMs) return false;
    this.#lastLogged.use(key).at = now;
    this.#lastLogged.trimTo(this.#maxKeys);
    return true;
  }
}
