import { afterEach, describe, expect, it, vi } from "vitest";
import { awaitFinals } from "../../../../channels/speech/await-finals.js";

describe("awaitFinals", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("resolves when the recognizer finishes, calling onFinish once and never onTimeout", async () => {
    vi.useFakeTimers();
    const events: string[] = [];
    let finish: (() => void) | undefined;
    const ended = awaitFinals({
      timeoutMs: 5_000,
      onTimeout: () => events.push("timeout"),
      onFinish: () => events.push("finish"),
      start: (f) => {
        events.push("start");
        finish = f;
      },
    });
    finish?.();
    finish?.();
    await ended;
    vi.advanceTimersByTime(10_000);
    expect(events).toEqual(["start", "finish"]);
  });

  it("gives up after the timeout: onTimeout, then onFinish, and a late finish changes nothing", async () => {
    vi.useFakeTimers();
    const events: string[] = [];
    let finish: (() => void) | undefined;
    const ended = awaitFinals({
      timeoutMs: 5_000,
      onTimeout: () => events.push("timeout"),
      onFinish: () => events.push("finish"),
      start: (f) => {
        finish = f;
      },
    });
    vi.advanceTimersByTime(4_999);
    expect(events).toEqual([]);
    vi.advanceTimersByTime(1);
    await ended;
    finish?.();
    expect(events).toEqual(["timeout", "finish"]);
  });
});
