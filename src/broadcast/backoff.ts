export interface BackoffOptions {
  minDelayMs: number;
  maxDelayMs: number;
}

/** Delay before retry number `attempt` (1-based): doubles from minDelayMs and stays at maxDelayMs. */
export function backoffDelay(attempt: number, { minDelayMs, maxDelayMs }: BackoffOptions): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  return Math.min(minDelayMs * 2 ** exponent, maxDelayMs);
}

/** A sleep that ends early when the signal aborts, so shutdown never waits on a backoff timer. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
