// onShutdownSignal and logUnhandledRejections on a process the test drives.
import { afterEach, describe, expect, it, vi } from "vitest";
import { logUnhandledRejections } from "../../../src/process/safety-nets.js";
import { onShutdownSignal } from "../../../src/process/shutdown-signals.js";
import { captureLogger } from "../../support/capture-logger.js";
import { FakeProcess } from "../../support/fake-process.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("onShutdownSignal", () => {
  it("stops on the first SIGINT or SIGTERM and forces on one later than graceMs", () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const host = new FakeProcess();
    const events: string[] = [];
    onShutdownSignal({ onStop: (s) => events.push(`stop:${s}`), onForce: (s) => events.push(`force:${s}`), graceMs: 50 }, host);

    host.signal("SIGTERM");
    vi.setSystemTime(Date.now() + 50);
    host.signal("SIGINT");
    expect(events).toEqual(["stop:SIGTERM"]);
    vi.setSystemTime(Date.now() + 1);
    host.signal("SIGINT");
    host.signal("SIGTERM");
    expect(events).toEqual(["stop:SIGTERM", "force:SIGINT", "force:SIGTERM"]);
  });

  it("ignores later signals when nobody asked to force", () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const host = new FakeProcess();
    const onStop = vi.fn();
    onShutdownSignal({ onStop }, host);
    host.signal("SIGINT");
    vi.setSystemTime(Date.now() + 60_000);
    expect(() => host.signal("SIGINT")).not.toThrow();
    expect(onStop).toHaveBeenCalledTimes(1);
  });

  it("stops listening to both signals when unsubscribed", () => {
    const host = new FakeProcess();
    const onStop = vi.fn();
    const unsubscribe = onShutdownSignal({ onStop }, host);
    expect([host.listenerCount("SIGINT"), host.listenerCount("SIGTERM")]).toEqual([1, 1]);
    unsubscribe();
    expect([host.listenerCount("SIGINT"), host.listenerCount("SIGTERM")]).toEqual([0, 0]);
    host.signal("SIGTERM");
    expect(onStop).not.toHaveBeenCalled();
  });

  it("listens on this process by default", () => {
    const before = process.listenerCount("SIGTERM");
    const unsubscribe = onShutdownSignal({ onStop: () => undefined });
    expect(process.listenerCount("SIGTERM")).toBe(before + 1);
    unsubscribe();
    expect(process.listenerCount("SIGTERM")).toBe(before);
  });
});

describe("logUnhandledRejections", () => {
  it("logs each unhandled rejection with its stack until unsubscribed", () => {
    const host = new FakeProcess();
    const logs = captureLogger();
    const unsubscribe = logUnhandledRejections(logs.logger, host);
    host.emit("unhandledRejection", new TypeError("x is undefined"));
    expect(logs.at("error")).toEqual([
      expect.objectContaining({
        msg: "unhandled promise rejection (a promise nobody awaited): x is undefined",
        err: expect.objectContaining({ type: "TypeError", stack: expect.stringContaining("x is undefined") }),
      }),
    ]);
    unsubscribe();
    expect(host.listenerCount("unhandledRejection")).toBe(0);
  });
});
