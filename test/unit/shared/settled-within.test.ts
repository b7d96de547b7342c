import { afterEach, describe, expect, it, vi } from "vitest";
import { settledWithin } from "../../../src/shared/settled-within.js";

afterEach(() => vi.useRealTimers());

describe("settledWithin", () => {
  it("is true for work that settles in time, and leaves no timer behind", async () => {
    vi.useFakeTimers();
    const before = vi.getTimerCount();
    await expect(settledWithin(Promise.resolve("done"), 1_000)).resolves.toBe(true);
    expect(vi.getTimerCount()).toBe(before);
  });

  it("is false for work still running when the time is up, which it does not wait for", async () => {
    vi.useFakeTimers();
    const answer = settledWithin(new Promise(() => {}), 1_000);
    await vi.advanceTimersByTimeAsync(999);
    let settled = false;
    void answer.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(answer).resolves.toBe(false);
  });

  it("passes on a rejection that comes in time, and clears its timer", async () => {
    vi.useFakeTimers();
    const before = vi.getTimerCount();
    await expect(settledWithin(Promise.reject(new Error("gone")), 1_000)).rejects.toThrow("gone");
    expect(vi.getTimerCount()).toBe(before);
  });
});
