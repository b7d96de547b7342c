import { describe, expect, it } from "vitest";
import { LogThrottle } from "../../../../channels/limits/log-throttle.js";

describe("LogThrottle (one log line per key per interval)", () => {
  it("logs a key once per interval, whatever the flood in between", () => {
    const throttle = new LogThrottle(10_000);
    expect(throttle.shouldLog("forged-origin", 0)).toBe(true);
    for (let t = 1; t < 10_000; t += 997) expect(throttle.shouldLog("forged-origin", t)).toBe(false);
    expect(throttle.shouldLog("forged-origin", 10_000)).toBe(true);
    expect(throttle.shouldLog("forged-origin", 19_999)).toBe(false);
  });

  it("throttles each key on its own", () => {
    const throttle = new LogThrottle(10_000);
    expect(throttle.shouldLog("a", 0)).toBe(true);
    expect(throttle.shouldLog("b", 1)).toBe(true);
    expect(throttle.shouldLog("a", 2)).toBe(false);
  });

  it("remembers a bounded number of keys: a flood of distinct keys cannot grow memory, the oldest is forgotten", () => {
    const throttle = new LogThrottle(10_000, 2);
    expect(throttle.shouldLog("a", 0)).toBe(true);
    expect(throttle.shouldLog("b", 0)).toBe(true);
    expect(throttle.shouldLog("c", 0)).toBe(true);
    // "a" was forgotten, so it logs again within its interval; "c" is remembered.
    expect(throttle.shouldLog("a", 1)).toBe(true);
    expect(throttle.shouldLog("c", 1)).toBe(false);
  });

  it("forgets the key logged longest ago first: a suppressed line is not a use", () => {
    const throttle = new LogThrottle(10_000, 2);
    expect(throttle.shouldLog("a", 0)).toBe(true);
    expect(throttle.shouldLog("b", 1)).toBe(true);
    expect(throttle.shouldLog("a", 2)).toBe(false);
    expect(throttle.shouldLog("c", 3)).toBe(true);
    // "a" went, not "b": a flood of one key cannot keep it remembered past the bound.
    expect(throttle.shouldLog("b", 4)).toBe(false);
    expect(throttle.shouldLog("a", 5)).toBe(true);
  });

  it("keeps 1 000 keys by default", () => {
    const throttle = new LogThrottle(10_000);
    for (let i = 0; i < 1_001; i += 1) throttle.shouldLog(`host-${i}`, 0);
    expect(throttle.shouldLog("host-1", 1)).toBe(false);
    expect(throttle.shouldLog("host-0", 1)).toBe(true);
  });
});
