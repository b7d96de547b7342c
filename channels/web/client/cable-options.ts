import { backoffWithJitter, type CreateOptions, type ProtocolID } from "@anycable/core";

/**
 * Where the reconnect backoff starts: @anycable/web's own default (its 3 s ping interval), so the
 * first retries stay what the library does (1.5-9 s, then doubling, each ±50 % jitter).
 */
export const RECONNECT_BASE_MS = 3_000;

/**
 * The longest wait between reconnect attempts. Left to itself the library doubles without a bound
 * (after ten failed attempts the next waits 25 minutes to 2.5 hours), so a dashboard left open
 * through an outage would come back long after anycable-go did. Returning to the tab, focusing it or going back
 * online retries at once anyway (@anycable/web's monitor); this bounds the wait of a page nobody
 * touches. Earlier attempts' jitter keeps pages that lost the same server apart at the cap.
 */
export const MAX_RECONNECT_DELAY_MS = 30_000;

/** What the dashboard's client passes to createConsumer() beside the URL it reads from the page. */
export function cableOptions(): Partial<CreateOptions<ProtocolID>> {
  return {
    reconnectStrategy: backoffWithJitter(RECONNECT_BASE_MS, { maxInterval: MAX_RECONNECT_DELAY_MS }),
  };
}
