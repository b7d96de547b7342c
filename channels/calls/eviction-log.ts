import type { Logger } from "anycable-ts";
import { LogThrottle } from "../limits/log-throttle.js";

const MESSAGE = "call registry full: the oldest live calls were taken off the list";

/** How often an overfull registry says so at warn level; the evictions in between go to debug. */
export const EVICTION_WARNING_INTERVAL_MS = 10_000;

/**
 * Reports calls taken off a full live list. A storm of new calls evicts one call per call, and a
 * warning each would bury the log; an operator needs to know that it happens and how much, so one
 * warning per interval carries the count since the previous one, and every eviction is still
 * named at debug level.
 */
export class EvictionLog {
  readonly #logger: Logger | undefined;
  readonly #maxLiveCalls: number;
  readonly #now: () => number;
  readonly #warnings = new LogThrottle(EVICTION_WARNING_INTERVAL_MS, 1);
  #sinceLastWarning = 0;

  constructor(logger: Logger | undefined, maxLiveCalls: number, now: () => number = Date.now) {
    this.#logger = logger;
    this.#maxLiveCalls = maxLiveCalls;
    this.#now = now;
  }

  record(evicted: readonly string[]): void {
    if (evicted.length === 0) return;
    this.#sinceLastWarning += evicted.length;
    if (!this.#warnings.shouldLog("evictions", this.#now())) {
      this.#logger?.debug({ evicted, maxLiveCalls: this.#maxLiveCalls }, MESSAGE);
      return;
    }
    this.#logger?.warn({ evicted, evictedSinceLastWarning: this.#sinceLastWarning, maxLiveCalls: this.#maxLiveCalls }, MESSAGE);
    this.#sinceLastWarning = 0;
  }
}
