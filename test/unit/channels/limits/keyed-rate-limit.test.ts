import { describe, expect, it } from "vitest";
import { KeyedRateLimit } from "../../../../channels/limits/keyed-rate-limit.js";

function manualClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe("KeyedRateLimit (one bucket per call's stream)", () => {
  it("limits each key on its own: one flooding stream does not starve another", () => {
    const clock = manualClock();
    const limits = new KeyedRateLimit({ limit: 2, intervalMs: 1_000, now: clock.now });
    expect(limits.limit).toBe(2);
    expect([limits.take("a"), limits.take("a"), limits.take("a")]).toEqual([true, true, false]);
    expect([limits.take("b"), limits.take("b"), limits.take("b")]).toEqual([true, true, false]);
    clock.advance(500);
    expect([limits.take("a"), limits.take("a")]).toEqual([true, false]);
  });

  it("remembers at most maxKeys buckets, forgetting the least recently used one first", () => {
    const clock = manualClock();
    const limits = new KeyedRateLimit({ limit: 1, intervalMs: 60_000, maxKeys: 2, now: clock.now });
    expect(limits.take("a")).toBe(true);
    expect(limits.take("b")).toBe(true);
    // Using "a" again makes "b" the least recently used key.
    expect(limits.take("a")).toBe(false);
    expect(limits.take("c")).toBe(true);
    // "b" was forgotten: it gets a fresh bucket. "a" is still remembered, and still empty.
    expect(limits.take("b")).toBe(true);
    expect(limits.take("c")).toBe(false);
  });

  it("keeps 10 000 keys by default, on the wall clock: the 10 000th most recent key is still limited, an older one is not", () => {
    const limits = new KeyedRateLimit({ limit: 1, intervalMs: 60_000 });
    for (let i = 0; i < 10_001; i += 1) limits.take(`call-${i}`);
    expect(limits.take("call-1")).toBe(false);
    expect(limits.take("call-0")).toBe(true);
  });
});
