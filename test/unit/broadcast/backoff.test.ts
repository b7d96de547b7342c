import { getEventListeners } from "node:events";
import { afterEach, describe, expect, it, vi } from "vitest";
import { backoffDelay, sleep } from "../../../src/broadcast/backoff.js";
import { redactUrl } from "../../../src/broadcast/redact.js";

describe("backoffDelay", () => {
  it("doubles from the minimum and stays at the cap, for any attempt number", () => {
    const opts = { minDelayMs: 100, maxDelayMs: 1_000 };
    expect([1, 2, 3, 4, 5, 6, 1e6].map((n) => backoffDelay(n, opts))).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000]);
    expect(backoffDelay(0, opts)).toBe(100);
  });
});

/** Lets every queued microtask and pending I/O callback run once: a sleep that should have ended has. */
const turn = () => new Promise<"pending">((resolve) => setImmediate(() => resolve("pending")));

/** "ended" if the sleep is over after one turn of the event loop, without waiting for its timer. */
const endedBy = (slept: Promise<void>) => Promise.race([slept.then(() => "ended" as const), turn()]);

describe("sleep", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("waits its whole time, then ends", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const slept = sleep(50);
    await vi.advanceTimersByTimeAsync(49);
    expect(await endedBy(slept)).toBe("pending");
    await vi.advanceTimersByTimeAsync(1);
    expect(await endedBy(slept)).toBe("ended");
  });

  it("ends early when its signal aborts, and leaves no timer behind", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const controller = new AbortController();
    const slept = sleep(60_000, controller.signal);
    expect(await endedBy(slept)).toBe("pending");
    controller.abort();
    expect(await endedBy(slept)).toBe("ended");
    expect(vi.getTimerCount()).toBe(0);
  });

  it("takes its abort listener off the signal when its time is up, so a long-lived signal collects none", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const controller = new AbortController();
    const slept = sleep(10, controller.signal);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10);
    expect(await endedBy(slept)).toBe("ended");
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("returns at once without starting a timer when its signal has already aborted", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const controller = new AbortController();
    controller.abort();
    const slept = sleep(60_000, controller.signal);
    expect(vi.getTimerCount()).toBe(0);
    expect(await endedBy(slept)).toBe("ended");
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
