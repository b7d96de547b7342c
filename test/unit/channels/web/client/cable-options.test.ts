// The dashboard's client reconnects with @anycable/web's jittered exponential backoff, bounded.
// The strategy draws its jitter from Math.random: pinning that to either end of its range gives
// the longest and the shortest wait the strategy can choose for an attempt.
import { afterEach, describe, expect, it, vi } from "vitest";
import { cableOptions, MAX_RECONNECT_DELAY_MS, RECONNECT_BASE_MS } from "../../../../../channels/web/client/cable-options.js";

afterEach(() => {
  vi.restoreAllMocks();
});

function strategy(): (attempts: number) => number {
  const { reconnectStrategy } = cableOptions();
  if (!reconnectStrategy) throw new Error("cableOptions() sets no reconnectStrategy");
  return reconnectStrategy;
}

const ATTEMPTS = Array.from({ length: 40 }, (_, i) => i);

describe("the dashboard client's reconnect backoff", () => {
  it("never waits longer than the cap, however many attempts have failed", () => {
    vi.spyOn(Math, "random").mockReturnValue(0.999_999);
    const longest = strategy();
    for (const attempts of ATTEMPTS) expect(longest(attempts)).toBeLessThanOrEqual(MAX_RECONNECT_DELAY_MS);
    expect(longest(ATTEMPTS.length)).toBe(MAX_RECONNECT_DELAY_MS);
  });

  it("keeps retrying at the cap once it is reached, even with the shortest jitter", () => {
    vi.spyOn(Math, "random").mockReturnValue(0);
    const shortest = strategy();
    expect(shortest(20)).toBe(MAX_RECONNECT_DELAY_MS);
    expect(shortest(1_000)).toBe(MAX_RECONNECT_DELAY_MS);
  });

  it("starts within a few seconds and backs off from there until the cap", () => {
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const middle = strategy();
    const delays = ATTEMPTS.slice(0, 8).map((attempts) => middle(attempts));
    expect(delays[0]).toBeGreaterThanOrEqual(RECONNECT_BASE_MS);
    expect(delays[0]).toBeLessThan(2 * RECONNECT_BASE_MS);
    const capped = delays.indexOf(MAX_RECONNECT_DELAY_MS);
    expect(capped).toBeGreaterThan(1);
    for (let i = 1; i < capped; i++) expect(delays[i]).toBeGreaterThan(delays[i - 1] as number);
    expect(delays.slice(capped)).toEqual(delays.slice(capped).map(() => MAX_RECONNECT_DELAY_MS));
  });
});
