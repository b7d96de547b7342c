// Neither a registry outage nor a broker outage fails the phone call's RPC calls: the feed logs
// what was lost and carries on with the step it can still do.
import { describe, expect, it } from "vitest";
import type { Broadcaster } from "anycable-ts";
import { CallFeed } from "../../../../channels/feed/call-feed.js";
import { MemoryCallRegistry } from "../../../../channels/calls/memory-call-registry.js";
import type { CallRegistry } from "../../../../channels/calls/call-registry.js";
import { transcriptEvent } from "../../../../channels/calls/call-event.js";
import { RecordingBroadcaster } from "../../../fixtures/recording-broadcaster.js";
import { captureLogger } from "../../../support/capture-logger.js";
import { operationsOn } from "../support/call-monitor-cable.js";

const SID = `CA${"1".padStart(32, "0")}`;

/** A memory registry whose `method` fails, by throwing at once or by rejecting. */
function failingRegistry(method: "callStarted" | "recordEvent" | "touch", how: "throws" | "rejects"): CallRegistry {
  const registry = new MemoryCallRegistry();
  const failure = new Error(`${method} is down`);
  Object.assign(registry, {
    [method]:
      how === "throws"
        ? () => {
            throw failure;
          }
        : () => Promise.reject(failure),
  });
  return registry;
}

const refusingBroadcaster = (how: "throws" | "rejects"): Broadcaster => {
  const fail =
    how === "throws"
      ? () => {
          throw new Error("broker is down");
        }
      : () => Promise.reject(new Error("broker is down"));
  return { broadcast: fail, broadcastMany: fail, broadcastCommand: fail, close: () => Promise.resolve() };
};

describe("CallFeed when the registry fails", () => {
  for (const how of ["throws", "rejects"] as const) {
    it(`lets a call start and still shows it live when callStarted ${how}`, async () => {
      const broadcaster = new RecordingBroadcaster();
      const { logger, at } = captureLogger();
      const feed = new CallFeed({ registry: failingRegistry("callStarted", how), broadcaster, logger });
      expect(await feed.callStarted(SID)).toBe(true);
      await feed.broadcastsHandedOver();
      expect(operationsOn(broadcaster, "calls")).toMatchObject([{ operation: "upsertHtml", id: `call_${SID}` }]);
      expect(at("error")).toMatchObject([{ callSid: SID, msg: "call registry callStarted failed; pages loaded later will miss this" }]);
    });

    it(`sends the event without a sequence number when recordEvent ${how}`, async () => {
      const broadcaster = new RecordingBroadcaster();
      const { logger, at } = captureLogger();
      const feed = new CallFeed({ registry: failingRegistry("recordEvent", how), broadcaster, logger });
      await feed.eventHappened(SID, transcriptEvent("r1", "Hello", true));
      await feed.broadcastsHandedOver();
      const [operation] = operationsOn(broadcaster, `call_${SID}`);
      expect(operation).toMatchObject({ operation: "upsertHtml", id: "event_r1" });
      expect(operation).not.toHaveProperty("seq");
      expect(at("error")).toMatchObject([{ callSid: SID, msg: "call registry recordEvent failed; pages loaded later will miss this" }]);
    });

    it(`renews nothing and relists nothing when touch ${how}`, async () => {
      const broadcaster = new RecordingBroadcaster();
      const { logger, at } = captureLogger();
      const feed = new CallFeed({ registry: failingRegistry("touch", how), broadcaster, logger });
      await feed.callAlive(SID, true);
      await feed.broadcastsHandedOver();
      expect(broadcaster.publications).toEqual([]);
      expect(at("error")).toMatchObject([{ callSid: SID, msg: "call registry touch failed; pages loaded later will miss this" }]);
    });
  }
});

describe("CallFeed when the broadcaster fails", () => {
  for (const how of ["throws", "rejects"] as const) {
    it(`records the call and resolves when the broadcaster ${how}`, async () => {
      const registry = new MemoryCallRegistry();
      const { logger, at } = captureLogger();
      const feed = new CallFeed({ registry, broadcaster: refusingBroadcaster(how), logger });
      expect(await feed.callStarted(SID)).toBe(true);
      await feed.eventHappened(SID, transcriptEvent("r1", "Hello", true));
      await feed.broadcastsHandedOver();
      expect((await registry.liveCalls()).map((call) => call.sid)).toEqual([SID]);
      expect((await registry.events(SID)).map((event) => event.kind)).toEqual(["start", "transcript"]);
      expect(at("error").map((line) => [line.callSid, line.msg])).toEqual([
        [SID, "broadcast to the dashboard failed; open pages miss this update"],
        [SID, "broadcast to the dashboard failed; open pages miss this update"],
      ]);
    });
  }
});

describe("CallFeed and the RPC answer", () => {
  it("settles once the registry has the change, and hands the broadcast over at the end of the turn", async () => {
    const registry = new MemoryCallRegistry();
    const broadcaster = new RecordingBroadcaster();
    const { logger } = captureLogger();
    const feed = new CallFeed({ registry, broadcaster, logger });
    expect(await feed.callStarted(SID)).toBe(true);
    await feed.eventHappened(SID, transcriptEvent("r1", "Hello", true));
    // Answering waits for neither broadcast: the turn's batch has not left yet.
    expect((await registry.events(SID)).map((event) => event.kind)).toEqual(["start", "transcript"]);
    expect(broadcaster.publications).toEqual([]);
    await feed.broadcastsHandedOver();
    expect(broadcaster.publications).toHaveLength(1);
    expect(operationsOn(broadcaster, `call_${SID}`).map((op) => op.id)).toEqual([expect.stringMatching(/^start_/), "event_r1"]);
  });
});
