// The server half of "no silent loss": every timeline change is numbered, pages render the number,
// and /calls/:sid/events serves the timeline with it for a page that noticed a gap.
import { describe, expect, it } from "vitest";
import { transcriptEvent } from "../../../../channels/calls/call-event.js";
import { CallFeed } from "../../../../channels/feed/call-feed.js";
import { MemoryCallRegistry } from "../../../../channels/calls/memory-call-registry.js";
import { silentLogger } from "../../../../src/index.js";
import { RecordingBroadcaster } from "../../../fixtures/recording-broadcaster.js";
import { operationsOn } from "../support/call-monitor-cable.js";
import { CALL_SID } from "../support/call-monitor-rpc.js";
import { testDashboard } from "../support/dashboard.js";

describe("timeline sequence numbers", () => {
  it("numbers every change of a call's timeline in its broadcasts, replacements included", async () => {
    const registry = new MemoryCallRegistry();
    const broadcaster = new RecordingBroadcaster();
    const feed = new CallFeed({ registry, broadcaster, logger: silentLogger() });
    await feed.callStarted(CALL_SID);
    await feed.eventHappened(CALL_SID, transcriptEvent("a", "Hel", false));
    await feed.eventHappened(CALL_SID, transcriptEvent("a", "Hello.", true));
    await feed.callStopped(CALL_SID);
    await feed.broadcastsHandedOver();
    expect(operationsOn(broadcaster, `call_${CALL_SID}`).map((op) => op.seq)).toEqual([1, 2, 3, 4]);
    expect((await registry.snapshot(CALL_SID)).seq).toBe(4);
  });

  it("renders the number into the page and serves the timeline with it", async () => {
    const { get, registry } = await testDashboard();
    await registry.recordEvent(CALL_SID, transcriptEvent("a", "One.", true, 1));
    await registry.recordEvent(CALL_SID, transcriptEvent("b", "Two <b>.", true, 2));
    const page = await (await get(`/calls/${CALL_SID}`)).text();
    expect(page).toContain(`<div id="events" aria-live="polite" data-resync-url="/calls/${CALL_SID}/events" data-seq="2">`);
    const fragment = await get(`/calls/${CALL_SID}/events`);
    expect(fragment.headers.get("x-timeline-seq")).toBe("2");
    expect(fragment.headers.get("cache-control")).toBe("no-store");
    const body = await fragment.text();
    expect(body.indexOf('id="event_a"')).toBeLessThan(body.indexOf('id="event_b"'));
    expect(body).toContain("Two &lt;b&gt;.");
    expect((await get("/calls/not-a-sid/events")).status).toBe(404);
  });
});
