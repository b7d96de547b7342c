import { describe, expect, it, vi } from "vitest";
import { backoffDelay, sleep } from "../../../src/broadcast/backoff.js";
import { redactUrl } from "../../../src/broadcast/redact.js";

describe("backoffDelay", () => {
  it("doubles from the minimum and stays at the cap, for any attempt number", () => {
    const opts = { minDelayMs: 100, maxDelayMs: 1_000 };
    expect([1, 2, 3, 4, 5, 6, 1e6].map((n) => backoffDelay(n, opts))).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000]);
    expect(backoffDelay(0, opts)).toBe(100);
  });
});

describe("sleep", () => {
  it("ends early when its signal aborts", async () => {
    const controller = new AbortController();
    const slept = sleep(60_000, controller.signal);
    controller.abort();
    await expect(slept).resolves.toBeUndefined();
  });
});

describe("sleep with a signal that has already aborted", () => {
  it("returns without starting a timer", async () => {
    const controller = new AbortController();
    controller.abort();
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const slept = sleep(60_000, controller.signal);
      expect(vi.getTimerCount()).toBe(0);
      await expect(slept).resolves.toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("redactUrl", () => {
  it("masks passwords and leaves the rest", () => {
    expect(redactUrl("redis://:s3cret@cache:6379/1")).toBe("redis://:***@cache:6379/1");
    expect(redactUrl("nats://user:pw@n:4222")).toBe("nats://user:***@n:4222");
    expect(redactUrl("redis://localhost:6379")).toBe("redis://localhost:6379");
    expect(redactUrl("127.0.0.1:4222")).toBe("127.0.0.1:4222");
  });
});
