export interface WaitForOptions {
  /** Give up after this long. Default 10 s. */
  timeoutMs?: number;
  /** Pause between attempts. Default 50 ms. */
  intervalMs?: number;
  /** What is being waited for, for the timeout message. */
  description?: string;
  /**
   * Checked before every attempt; a returned string aborts the wait at once
   * with that text (e.g. "the server exited" plus its logs), so a dead process
   * does not cost the whole timeout.
   */
  failIf?: () => string | undefined | null | false;
  /** Extra text appended to the timeout error, e.g. recent process logs. */
  details?: () => string;
}

export class WaitTimeoutError extends Error {
  override name = "WaitTimeoutError";
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `predicate` until it returns a truthy value, and returns that value.
 * A predicate that throws counts as "not yet" (servers refuse connections while
 * starting); the last such error is reported if the wait times out.
 */
export async function waitFor<T>(predicate: () => T | Promise<T>, options: WaitForOptions = {}): Promise<NonNullable<T>> {
  const { timeoutMs = 10_000, intervalMs = 50, description = "condition", failIf, details } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;

  for (;;) {
    const failure = failIf?.();
    if (failure) throw new Error(`gave up waiting for ${description}: ${failure}`);

    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }

    if (Date.now() >= deadline) {
      const parts = [`timed out after ${timeoutMs} ms waiting for ${description}`];
      if (lastError !== undefined) {
        parts.push(`last error: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
      }
      const extra = details?.();
      if (extra) parts.push(extra);
      throw new WaitTimeoutError(parts.join("\n"));
    }
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}

/** Rejects with a clear message if `promise` does not settle within `timeoutMs`. */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, description: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WaitTimeoutError(`timed out after ${timeoutMs} ms waiting for ${description}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
