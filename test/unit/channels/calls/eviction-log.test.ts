// A full live list evicts a call for every new one: the log says so once per interval at warn
// level with the count, and names every evicted call at debug level.
import { describe, expect, it } from "vitest";
import { EVICTION_WARNING_INTERVAL_MS, EvictionLog } from "../../../../channels/calls/eviction-log.js";
import { MemoryCallRegistry } from "../../../../channels/calls/memory-call-registry.js";
import { captureLogger } from "../../../support/capture-logger.js";

const MESSAGE = "call registry full: the oldest live calls were taken off the list";

describe("EvictionLog", () => {
  it("warns at the first eviction, then at most once per interval with the count since the last warning", () => {
    const logs = captureLogger();
    let now = 1_000_000;
    const log = new EvictionLog(logs.logger, 2, () => now);
    log.record(["CA1"]);
    log.record(["CA2"]);
    now += EVICTION_WARNING_INTERVAL_MS - 1;
    log.record(["CA3", "CA4"]);
    now += 1;
    log.record(["CA5"]);
    expect(logs.at("warn")).toMatchObject([
      { msg: MESSAGE, evicted: ["CA1"], evictedSinceLastWarning: 1, maxLiveCalls: 2 },
      { msg: MESSAGE, evicted: ["CA5"], evictedSinceLastWarning: 4, maxLiveCalls: 2 },
    ]);
    expect(logs.at("debug").map((l) => l.evicted)).toEqual([["CA2"], ["CA3", "CA4"]]);
  });

  it("says nothing when nothing was evicted", () => {
    const logs = captureLogger();
    new EvictionLog(logs.logger, 2).record([]);
    expect(logs.lines).toEqual([]);
  });
});

describe("MemoryCallRegistry when its live list is full", () => {
  it("warns once for a burst of new calls and names every evicted call", async () => {
    const logs = captureLogger();
    const registry = new MemoryCallRegistry({ maxLiveCalls: 2 }, () => 5_000, logs.logger);
    const sids = Array.from({ length: 50 }, (_, i) => `CA${String(i).padStart(32, "0")}`);
    for (const sid of sids) await registry.callStarted(sid, 5_000);
    expect(logs.at("warn")).toHaveLength(1);
    expect(logs.lines.filter((l) => l.msg === MESSAGE).flatMap((l) => l.evicted as string[])).toEqual(sids.slice(0, 48));
  });
});
