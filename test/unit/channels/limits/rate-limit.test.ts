import { describe, expect, it } from "vitest";
import { RateLimit } from "../../../../channels/limits/rate-limit.js";

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe("RateLimit (a token bucket)", () => {
  it("grants a full burst, then refuses and says how many seconds until the next token", () => {
    const clock = manualClock();
    const limit = new RateLimit(3, 60_000, clock.now);
    expect([limit.take(), limit.take(), limit.take()]).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    // One token refills every 20 s.
    expect(limit.take()).toEqual({ ok: false, retryAfterSeconds: 20 });
    expect(limit.available()).toBe(false);
    clock.advance(15_000);
    expect(limit.retryAfterSeconds()).toBe(5);
    expect(limit.take()).toEqual({ ok: false, retryAfterSeconds: 5 });
  });

  it("a refusal takes nothing: the token arrives on time however often a caller retries", () => {
    const clock = manualClock();
    const limit = new RateLimit(1, 1_000, clock.now);
    expect(limit.take().ok).toBe(true);
    for (let i = 0; i < 9; i += 1) {
      clock.advance(100);
      expect(limit.take().ok).toBe(false);
    }
    // Just past the second: ten refills of a tenth of a token add up to a hair under one.
    clock.advance(101);
    expect(limit.retryAfterSeconds()).toBe(0);
    expect(limit.available()).toBe(true);
    expect(limit.take().ok).toBe(true);
  });

  it("refills evenly but never beyond the burst: a long pause does not bank tokens", () => {
    const clock = manualClock();
    const limit = new RateLimit(2, 1_000, clock.now);
    limit.take();
    limit.take();
    clock.advance(500);
    expect(limit.take().ok).toBe(true);
    expect(limit.take().ok).toBe(false);
    clock.advance(3_600_000);
    expect([limit.take().ok, limit.take().ok, limit.take().ok]).toEqual([true, true, false]);
  });

  it("rounds the wait up to whole seconds, so a client told to retry then is not refused again", () => {
    const clock = manualClock();
    const limit = new RateLimit(5, 60_000, clock.now);
    for (let i = 0; i < 5; i += 1) limit.take();
    clock.advance(11_500);
    // 12 s per token, 0.5 s to go.
    expect(limit.retryAfterSeconds()).toBe(1);
    clock.advance(500);
    expect(limit.retryAfterSeconds()).toBe(0);
  });
});
