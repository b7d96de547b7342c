/**
 * A bounded set of recently seen session ids. Disconnect uses it so a retried or repeated
 * Disconnect for one socket runs the application's callbacks once.
 */
export class RecentSessions {
  readonly #seen = new Set<string>();
  readonly #capacity: number;

  constructor(capacity = 10_000) {
    this.#capacity = capacity;
  }

  /** Records `sid`; false when it was already recorded. */
  add(sid: string): boolean {
    if (this.#seen.has(sid)) return false;
    this.#seen.add(sid);
    // A Set iterates in insertion order, so the first value is the oldest.
    if (this.#seen.size > this.#capacity) {
      const oldest = this.#seen.values().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
    return true;
  }

  /** Forgets `sid`, so a Disconnect that failed can be retried. */
  delete(sid: string): void {
    this.#seen.delete(sid);
  }

  get size(): number {
    return this.#seen.size;
  }
}
