import { beforeEach, describe, expect, it } from "vitest";
import { Status } from "../../../src/rpc/messages.js";
import {
  ACCOUNT_SID,
  CALL_SID,
  twilioHeaders,
  callMonitorRpc,
  identifierFor,
  operationsOn,
  type CallMonitorRpc,
} from "./support/call-monitor-rpc.js";

const CALL_STREAM = `call_${CALL_SID}`;
const transcript = (id: string, text: string, final: boolean) => ({
  action: "handle_message",
  result: { id, text, final, event: "transcript" },
});

let rpc: CallMonitorRpc;
let twilio: string;

beforeEach(async () => {
  rpc = callMonitorRpc();
  twilio = await rpc.identify(twilioHeaders());
});

describe("subscribing", () => {
  it("confirms, lists the call and adds “Call started” in one batch for both streams", async () => {
    const response = await rpc.subscribe(twilio);
    expect(response.status).toBe(Status.SUCCESS);
    expect(response.transmissions).toEqual([JSON.stringify({ identifier: identifierFor(CALL_SID), type: "confirm_subscription" })]);
    expect(response.streams).toEqual([]);

    expect(rpc.broadcaster.publications).toHaveLength(1);
    expect(rpc.broadcaster.publications[0]?.map((p) => p.stream)).toEqual(["calls", CALL_STREAM]);

    const [listed] = operationsOn(rpc.broadcaster, "calls");
    expect(listed).toMatchObject({ operation: "upsertHtml", selector: "#calls", id: `call_${CALL_SID}` });
    expect(listed?.html).toContain(`<li id="call_${CALL_SID}"`);
    expect(listed?.html).toContain(`href="/calls/${CALL_SID}"`);

    const [started] = operationsOn(rpc.broadcaster, CALL_STREAM);
    expect(started).toMatchObject({ operation: "upsertHtml", selector: "#events", id: expect.stringMatching(/^start_/) });
    expect(started?.html).toContain("Call started");
    expect(operationsOn(rpc.broadcaster, "calls")).toHaveLength(1);
    expect(operationsOn(rpc.broadcaster, CALL_STREAM)).toHaveLength(1);

    expect(await rpc.registry.liveCalls()).toEqual([{ sid: CALL_SID, startedAt: expect.any(Number), lastSeenAt: expect.any(Number) }]);
    expect((await rpc.registry.events(CALL_SID)).map((e) => e.kind)).toEqual(["start"]);
  });

  it("rejects a bridge connection whose credential names another call, and its performs", async () => {
    const other = "CAffffffffffffffffffffffffffffffff";
    const elsewhere = await rpc.identify(twilioHeaders(other));
    expect(JSON.parse(elsewhere)).toEqual({ role: "twilio", callSid: other });
    const response = await rpc.subscribe(elsewhere);
    expect(response.status).toBe(Status.FAILURE);
    expect(response.transmissions).toEqual([JSON.stringify({ identifier: identifierFor(CALL_SID), type: "reject_subscription" })]);
    expect((await rpc.perform(elsewhere, transcript("x", "not my call", true))).status).toBe(Status.ERROR);
    expect((await rpc.disconnect(elsewhere)).status).toBe(Status.SUCCESS);
    expect(rpc.broadcaster.all).toEqual([]);
    expect(await rpc.registry.liveCalls()).toEqual([]);
  });

  it("rejects a second stream for a call that is already live, leaving the first one listed", async () => {
    expect((await rpc.subscribe(twilio)).status).toBe(Status.SUCCESS);
    rpc.broadcaster.publications.length = 0;
    const second = await rpc.identify(twilioHeaders());
    const response = await rpc.subscribe(second);
    expect(response.status).toBe(Status.FAILURE);
    expect(response.transmissions).toEqual([JSON.stringify({ identifier: identifierFor(CALL_SID), type: "reject_subscription" })]);
    expect(rpc.broadcaster.all).toEqual([]);
    expect((await rpc.registry.liveCalls()).map((c) => c.sid)).toEqual([CALL_SID]);
    // Once the first stream ends, the call may stream again.
    await rpc.disconnect(twilio);
    expect((await rpc.subscribe(await rpc.identify(twilioHeaders()))).status).toBe(Status.SUCCESS);
  });

  it("rejects a browser, with no streams and nothing broadcast", async () => {
    const viewer = await rpc.identify({});
    const response = await rpc.subscribe(viewer);
    expect(response.status).toBe(Status.FAILURE);
    expect(response.transmissions).toEqual([JSON.stringify({ identifier: identifierFor(CALL_SID), type: "reject_subscription" })]);
    expect(response.streams).toEqual([]);
    expect(rpc.broadcaster.all).toEqual([]);
    expect(await rpc.registry.liveCalls()).toEqual([]);
  });

  it.each([
    ["upper-case hex", `CA${CALL_SID.slice(2).toUpperCase()}`],
    ["lower-case prefix", `ca${CALL_SID.slice(2)}`],
    ["too short", CALL_SID.slice(0, -1)],
    ["too long", `${CALL_SID}0`],
    ["not hex", `CA${"g".repeat(32)}`],
    ["markup", `CA<img src=x onerror=alert(1)>`],
    ["empty", ""],
  ])("rejects a %s call SID", async (_label, sid) => {
    const response = await rpc.subscribe(twilio, identifierFor(sid));
    expect(response.status).toBe(Status.FAILURE);
    expect(response.error_msg).toMatch(/Invalid params for channel "twilio"/);
    expect(rpc.broadcaster.all).toEqual([]);
  });

  it("rejects identifiers with extra keys or a differently spelled channel", async () => {
    expect((await rpc.subscribe(twilio, JSON.stringify({ channel: "twilio", sid: CALL_SID, extra: 1 }))).status).toBe(Status.FAILURE);
    expect((await rpc.subscribe(twilio, JSON.stringify({ channel: "Twilio", sid: CALL_SID }))).status).toBe(Status.FAILURE);
    expect(rpc.broadcaster.all).toEqual([]);
  });
});

describe("handle_message", () => {
  beforeEach(async () => {
    await rpc.subscribe(twilio);
    rpc.broadcaster.publications.length = 0;
  });

  it("shows a partial transcript and replaces it with the final one under the same element id", async () => {
    for (const [text, final] of [
      ["Hello", false],
      ["Hello there", false],
      ["Hello there, operator.", true],
    ] as const) {
      expect((await rpc.perform(twilio, transcript("r1", text, final))).status).toBe(Status.SUCCESS);
    }
    const ops = operationsOn(rpc.broadcaster, CALL_STREAM);
    expect(ops.map((op) => [op.operation, op.selector, op.id])).toEqual([
      ["upsertHtml", "#events", "event_r1"],
      ["upsertHtml", "#events", "event_r1"],
      ["upsertHtml", "#events", "event_r1"],
    ]);
    expect(ops[0]?.html).toContain('class="event event-transcript is-partial"');
    expect(ops[0]?.html).toContain("transcript · partial");
    expect(ops[2]?.html).toContain('class="event event-transcript is-final"');
    expect(ops[2]?.html).toContain("Hello there, operator.");
    expect(operationsOn(rpc.broadcaster, "calls")).toEqual([]);

    const events = await rpc.registry.events(CALL_SID);
    expect(events.map((e) => [e.kind, e.key])).toEqual([
      ["start", expect.any(String)],
      ["transcript", "event_r1"],
    ]);
    expect(events[1]).toMatchObject({ text: "Hello there, operator.", final: true });
  });

  it("gives each result id its own element", async () => {
    await rpc.perform(twilio, transcript("r1", "One.", true));
    await rpc.perform(twilio, transcript("3f2b6c1e-8d4a-4c1b-9a7e-2b5d6f8e9a01", "Two.", true));
    expect(operationsOn(rpc.broadcaster, CALL_STREAM).map((op) => op.id)).toEqual([
      "event_r1",
      "event_3f2b6c1e-8d4a-4c1b-9a7e-2b5d6f8e9a01",
    ]);
  });

  it("escapes hostile transcript text", async () => {
    const hostile = `<img src=x onerror=alert(1)>"'&`;
    await rpc.perform(twilio, transcript("x1", hostile, true));
    const [op] = operationsOn(rpc.broadcaster, CALL_STREAM);
    expect(op?.html).not.toContain("<img");
    expect(op?.html).toContain("&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;");
  });

  it("does not show recogniser errors, but logs them", async () => {
    const response = await rpc.perform(twilio, {
      action: "handle_message",
      result: { id: "", text: "stream timed out", final: false, event: "error" },
    });
    expect(response.status).toBe(Status.SUCCESS);
    expect(rpc.broadcaster.all).toEqual([]);
    expect(rpc.logs).toContainEqual(expect.objectContaining({ recognizerError: "stream timed out" }));
  });

  it("skips blank partials", async () => {
    expect((await rpc.perform(twilio, transcript("r2", "  ", false))).status).toBe(Status.SUCCESS);
    expect(rpc.broadcaster.all).toEqual([]);
  });

  it.each([
    ["no result", { action: "handle_message" }],
    ["unknown event", { action: "handle_message", result: { id: "a", text: "t", final: true, event: "dtmf" } }],
    ["missing text", { action: "handle_message", result: { id: "a", final: true, event: "transcript" } }],
    ["final not boolean", { action: "handle_message", result: { id: "a", text: "t", final: "yes", event: "transcript" } }],
    ["id with a quote", { action: "handle_message", result: { id: 'a"b', text: "t", final: true, event: "transcript" } }],
    ["id with a space", { action: "handle_message", result: { id: "a b", text: "t", final: true, event: "transcript" } }],
    ["id that is a selector", { action: "handle_message", result: { id: "a,#calls", text: "t", final: true, event: "transcript" } }],
    ["empty transcript id", { action: "handle_message", result: { id: "", text: "t", final: true, event: "transcript" } }],
    ["id too long", { action: "handle_message", result: { id: "a".repeat(65), text: "t", final: true, event: "transcript" } }],
    ["text too long", { action: "handle_message", result: { id: "a", text: "t".repeat(10_001), final: true, event: "transcript" } }],
  ])("refuses a malformed result (%s) with a clear error", async (_label, data) => {
    const response = await rpc.perform(twilio, data);
    expect(response.status).toBe(Status.ERROR);
    expect(response.error_msg).toMatch(/^Invalid data for twilio#handle_message: result/);
    expect(rpc.broadcaster.all).toEqual([]);
  });

  it("refuses a browser's perform with an explicit error", async () => {
    const viewer = await rpc.identify({});
    const response = await rpc.perform(viewer, transcript("fake", "I am Twilio", true));
    expect(response.status).toBe(Status.ERROR);
    expect(response.error_msg).toBe(
      "twilio#handle_message is only for Twilio media streams; this connection is not the bridge's connection for this call",
    );
    expect(rpc.broadcaster.all).toEqual([]);
  });

  it("refuses undeclared actions", async () => {
    const response = await rpc.perform(twilio, { action: "subscribed" });
    expect(response.status).toBe(Status.ERROR);
    expect(rpc.broadcaster.all).toEqual([]);
  });
});

describe("ending a call", () => {
  it("removes the call and adds “Call stopped” when the client unsubscribes", async () => {
    await rpc.subscribe(twilio);
    rpc.broadcaster.publications.length = 0;
    const response = await rpc.unsubscribe(twilio);
    expect(response.status).toBe(Status.SUCCESS);
    expect(rpc.broadcaster.publications).toHaveLength(1);
    expect(operationsOn(rpc.broadcaster, "calls")).toEqual([{ operation: "remove", selector: `#call_${CALL_SID}` }]);
    const [stopped] = operationsOn(rpc.broadcaster, CALL_STREAM);
    expect(stopped).toMatchObject({ operation: "upsertHtml", selector: "#events", id: expect.stringMatching(/^end_/) });
    expect(stopped?.html).toContain("Call stopped");
    expect(await rpc.registry.liveCalls()).toEqual([]);
  });

  it("runs the same teardown from Disconnect, then the connection's disconnect", async () => {
    await rpc.subscribe(twilio);
    rpc.broadcaster.publications.length = 0;
    const response = await rpc.disconnect(twilio);
    expect(response).toEqual({ status: Status.SUCCESS, error_msg: "" });
    expect(operationsOn(rpc.broadcaster, "calls")).toEqual([{ operation: "remove", selector: `#call_${CALL_SID}` }]);
    expect(operationsOn(rpc.broadcaster, CALL_STREAM)[0]?.html).toContain("Call stopped");
    expect((await rpc.registry.events(CALL_SID)).map((e) => e.kind)).toEqual(["start", "end"]);
  });

  it("handles a transcript that arrives after the call ended", async () => {
    await rpc.subscribe(twilio);
    await rpc.disconnect(twilio);
    rpc.broadcaster.publications.length = 0;
    const response = await rpc.perform(twilio, transcript("late", "Goodbye.", true));
    expect(response.status).toBe(Status.SUCCESS);
    expect(operationsOn(rpc.broadcaster, CALL_STREAM).map((op) => op.id)).toEqual(["event_late"]);
    expect(operationsOn(rpc.broadcaster, "calls")).toEqual([]);
    expect(await rpc.registry.liveCalls()).toEqual([]);
  });

  it("ignores a Disconnect for a connection rejected at Connect", async () => {
    const refused = await rpc.connect({ "x-twilio-account": `${ACCOUNT_SID}x` });
    expect(refused.status).toBe(Status.FAILURE);
    expect(await rpc.disconnect("", [])).toEqual({ status: Status.SUCCESS, error_msg: "" });
    expect(rpc.broadcaster.all).toEqual([]);
  });

  it("does nothing for a browser session that lists a twilio subscription", async () => {
    const viewer = await rpc.identify({});
    expect((await rpc.disconnect(viewer)).status).toBe(Status.SUCCESS);
    expect(rpc.broadcaster.all).toEqual([]);
  });

  it("accepts a Disconnect listing CableReady::Stream subscriptions answered by anycable-go", async () => {
    const viewer = await rpc.identify({});
    const streams = [JSON.stringify({ channel: "CableReady::Stream", identifier: "x--y" })];
    expect(await rpc.disconnect(viewer, streams)).toEqual({ status: Status.SUCCESS, error_msg: "" });
  });
});
