import { beforeEach, describe, expect, it } from "vitest";
import { Status } from "../../../../src/rpc/messages.js";
import type { TestCable, TestConnection } from "../../../../src/testing/index.js";
import type { MemoryCallRegistry } from "../../../../channels/calls/memory-call-registry.js";
import { callMonitorCable, operationsOn } from "../support/call-monitor-cable.js";
import { ACCOUNT_SID, CALL_SID, twilioHeaders, callMonitorRpc, identifierFor, type CallMonitorRpc } from "../support/call-monitor-rpc.js";

const CALL_STREAM = `call_${CALL_SID}`;
const result = (id: string, text: string, final: boolean) => ({ result: { id, text, final, event: "transcript" } });
const transcript = (id: string, text: string, final: boolean) => ({ action: "handle_message", ...result(id, text, final) });
const confirmed = (sid = CALL_SID) => ({ identifier: identifierFor(sid), type: "confirm_subscription" });
const rejected = (sid = CALL_SID) => ({ identifier: identifierFor(sid), type: "reject_subscription" });

let cable: TestCable;
let registry: MemoryCallRegistry;
let twilio: TestConnection;

beforeEach(async () => {
  ({ cable, registry } = await callMonitorCable());
  twilio = await cable.connect({ headers: twilioHeaders() });
  expect(twilio.connected).toBe(true);
});

describe("subscribing", () => {
  it("confirms, lists the call and adds “Call started” in one batch for both streams", async () => {
    const call = await twilio.subscribe("twilio", { sid: CALL_SID });
    expect(call.status).toBe("success");
    expect(twilio.transmissions).toEqual([{ type: "welcome", sid: twilio.sid }, confirmed()]);
    expect(call.startedStreams).toEqual([]);

    expect(cable.broadcasts.publications).toHaveLength(1);
    expect(cable.broadcasts.publications[0]?.map((p) => p.stream)).toEqual(["calls", CALL_STREAM]);

    const [listed] = operationsOn(cable.broadcasts, "calls");
    expect(listed).toMatchObject({ operation: "upsertHtml", selector: "#calls", id: `call_${CALL_SID}` });
    expect(listed?.html).toContain(`<li id="call_${CALL_SID}"`);
    expect(listed?.html).toContain(`href="/calls/${CALL_SID}"`);

    const [started] = operationsOn(cable.broadcasts, CALL_STREAM);
    expect(started).toMatchObject({ operation: "upsertHtml", selector: "#events", id: expect.stringMatching(/^start_/) });
    expect(started?.html).toContain("Call started");
    expect(operationsOn(cable.broadcasts, "calls")).toHaveLength(1);
    expect(operationsOn(cable.broadcasts, CALL_STREAM)).toHaveLength(1);

    expect(await registry.liveCalls()).toEqual([{ sid: CALL_SID, startedAt: expect.any(Number), lastSeenAt: expect.any(Number) }]);
    expect((await registry.events(CALL_SID)).map((e) => e.kind)).toEqual(["start"]);
  });

  it("rejects a second stream for a call that is already live, leaving the first one listed", async () => {
    expect((await twilio.subscribe("twilio", { sid: CALL_SID })).status).toBe("success");
    cable.broadcasts.clear();
    const second = await cable.connect({ headers: twilioHeaders() });
    const call = await second.subscribe("twilio", { sid: CALL_SID });
    expect(call.status).toBe("failure");
    expect(second.transmissions).toEqual([{ type: "welcome", sid: second.sid }, rejected()]);
    expect(cable.broadcasts.all).toEqual([]);
    expect((await registry.liveCalls()).map((c) => c.sid)).toEqual([CALL_SID]);
    // Once the first stream ends, the call may stream again.
    await twilio.disconnect();
    const third = await cable.connect({ headers: twilioHeaders() });
    expect((await third.subscribe("twilio", { sid: CALL_SID })).status).toBe("success");
  });

  it("rejects a browser, with no streams and nothing broadcast", async () => {
    const viewer = await cable.connect();
    const call = await viewer.subscribe("twilio", { sid: CALL_SID });
    expect(call.status).toBe("failure");
    expect(viewer.transmissions).toEqual([{ type: "welcome", sid: viewer.sid }, rejected()]);
    expect(call.startedStreams).toEqual([]);
    expect(cable.broadcasts.all).toEqual([]);
    expect(await registry.liveCalls()).toEqual([]);
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
    const call = await twilio.subscribe("twilio", { sid });
    expect(call.status).toBe("failure");
    expect(call.error).toMatch(/Invalid params for channel "twilio"/);
    expect(cable.broadcasts.all).toEqual([]);
  });

  it("rejects identifiers with extra keys or a differently spelled channel", async () => {
    expect((await twilio.subscribe("twilio", { sid: CALL_SID, extra: 1 })).status).toBe("failure");
    expect((await twilio.subscribe("Twilio", { sid: CALL_SID })).status).toBe("failure");
    expect(cable.broadcasts.all).toEqual([]);
  });
});

describe("handle_message", () => {
  let call: Awaited<ReturnType<TestConnection["subscribe"]>>;

  beforeEach(async () => {
    call = await twilio.subscribe("twilio", { sid: CALL_SID });
    expect(call.confirmed).toBe(true);
    cable.broadcasts.clear();
  });

  it("shows a partial transcript and replaces it with the final one under the same element id", async () => {
    for (const [text, final] of [
      ["Hello", false],
      ["Hello there", false],
      ["Hello there, operator.", true],
    ] as const) {
      expect((await call.perform("handle_message", result("r1", text, final))).status).toBe("success");
    }
    const ops = operationsOn(cable.broadcasts, CALL_STREAM);
    expect(ops.map((op) => [op.operation, op.selector, op.id])).toEqual([
      ["upsertHtml", "#events", "event_r1"],
      ["upsertHtml", "#events", "event_r1"],
      ["upsertHtml", "#events", "event_r1"],
    ]);
    expect(ops[0]?.html).toContain('class="event event-transcript is-partial"');
    expect(ops[0]?.html).toContain("transcript &middot; partial");
    expect(ops[2]?.html).toContain('class="event event-transcript is-final"');
    expect(ops[2]?.html).toContain("Hello there, operator.");
    expect(operationsOn(cable.broadcasts, "calls")).toEqual([]);

    const events = await registry.events(CALL_SID);
    expect(events.map((e) => [e.kind, e.key])).toEqual([
      ["start", expect.any(String)],
      ["transcript", "event_r1"],
    ]);
    expect(events[1]).toMatchObject({ text: "Hello there, operator.", final: true });
  });

  it("gives each result id its own element", async () => {
    await call.perform("handle_message", result("r1", "One.", true));
    await call.perform("handle_message", result("3f2b6c1e-8d4a-4c1b-9a7e-2b5d6f8e9a01", "Two.", true));
    expect(operationsOn(cable.broadcasts, CALL_STREAM).map((op) => op.id)).toEqual([
      "event_r1",
      "event_3f2b6c1e-8d4a-4c1b-9a7e-2b5d6f8e9a01",
    ]);
  });

  it("escapes hostile transcript text", async () => {
    const hostile = `<img src=x onerror=alert(1)>"'&`;
    await call.perform("handle_message", result("x1", hostile, true));
    const [op] = operationsOn(cable.broadcasts, CALL_STREAM);
    expect(op?.html).not.toContain("<img");
    expect(op?.html).toContain("&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;");
  });

  it("does not show recogniser errors, but logs them", async () => {
    const response = await call.perform("handle_message", { result: { id: "", text: "stream timed out", final: false, event: "error" } });
    expect(response.status).toBe("success");
    expect(cable.broadcasts.all).toEqual([]);
    expect(cable.logs).toContainEqual(expect.objectContaining({ recognizerError: "stream timed out" }));
  });

  it("skips blank partials", async () => {
    expect((await call.perform("handle_message", result("r2", "  ", false))).status).toBe("success");
    expect(cable.broadcasts.all).toEqual([]);
  });

  it.each([
    ["no result", {}],
    ["unknown event", { result: { id: "a", text: "t", final: true, event: "dtmf" } }],
    ["missing text", { result: { id: "a", final: true, event: "transcript" } }],
    ["final not boolean", { result: { id: "a", text: "t", final: "yes", event: "transcript" } }],
    ["id with a quote", { result: { id: 'a"b', text: "t", final: true, event: "transcript" } }],
    ["id with a space", { result: { id: "a b", text: "t", final: true, event: "transcript" } }],
    ["id that is a selector", { result: { id: "a,#calls", text: "t", final: true, event: "transcript" } }],
    ["empty transcript id", { result: { id: "", text: "t", final: true, event: "transcript" } }],
    ["id too long", { result: { id: "a".repeat(65), text: "t", final: true, event: "transcript" } }],
    ["text too long", { result: { id: "a", text: "t".repeat(10_001), final: true, event: "transcript" } }],
  ])("refuses a malformed result (%s) with a clear error", async (_label, data) => {
    const response = await call.perform("handle_message", data);
    expect(response.status).toBe("error");
    expect(response.error).toMatch(/^Invalid data for twilio#handle_message: result/);
    expect(cable.broadcasts.all).toEqual([]);
  });

  it("refuses a browser's perform with an explicit error", async () => {
    const viewer = await cable.connect();
    const attempt = await viewer.subscribe("twilio", { sid: CALL_SID });
    expect(attempt.rejected).toBe(true);
    const response = await attempt.perform("handle_message", result("fake", "I am Twilio", true));
    expect(response.status).toBe("error");
    expect(response.error).toBe(
      "twilio#handle_message is only for Twilio media streams; this connection is not the bridge's connection for this call",
    );
    expect(cable.broadcasts.all).toEqual([]);
  });

  it("refuses undeclared actions", async () => {
    const response = await call.perform("subscribed");
    expect(response.status).toBe("error");
    expect(cable.broadcasts.all).toEqual([]);
  });
});

describe("ending a call", () => {
  it("removes the call and adds “Call stopped” when the client unsubscribes", async () => {
    const call = await twilio.subscribe("twilio", { sid: CALL_SID });
    cable.broadcasts.clear();
    const response = await call.unsubscribe();
    expect(response.status).toBe("success");
    expect(cable.broadcasts.publications).toHaveLength(1);
    expect(operationsOn(cable.broadcasts, "calls")).toEqual([{ operation: "remove", selector: `#call_${CALL_SID}` }]);
    const [stopped] = operationsOn(cable.broadcasts, CALL_STREAM);
    expect(stopped).toMatchObject({ operation: "upsertHtml", selector: "#events", id: expect.stringMatching(/^end_/) });
    expect(stopped?.html).toContain("Call stopped");
    expect(await registry.liveCalls()).toEqual([]);
  });

  it("runs the same teardown from Disconnect, then the connection's disconnect", async () => {
    await twilio.subscribe("twilio", { sid: CALL_SID });
    cable.broadcasts.clear();
    const response = await twilio.disconnect();
    expect(response).toEqual({ status: "success", error: undefined, transmissions: [] });
    expect(operationsOn(cable.broadcasts, "calls")).toEqual([{ operation: "remove", selector: `#call_${CALL_SID}` }]);
    expect(operationsOn(cable.broadcasts, CALL_STREAM)[0]?.html).toContain("Call stopped");
    expect((await registry.events(CALL_SID)).map((e) => e.kind)).toEqual(["start", "end"]);
  });

  it("logs the call's start and end at debug, with its CallSid and session: the bridge logs them at info", async () => {
    const call = await twilio.subscribe("twilio", { sid: CALL_SID });
    await call.unsubscribe();
    const lifecycle = cable.logs.filter((line) => line.msg === "call started" || line.msg === "call stopped");
    expect(lifecycle).toEqual([
      expect.objectContaining({ level: 20, msg: "call started", callSid: CALL_SID, sid: twilio.sid, channel: "twilio" }),
      expect.objectContaining({ level: 20, msg: "call stopped", callSid: CALL_SID, sid: twilio.sid, channel: "twilio" }),
    ]);
  });
});

// What the testing helper cannot say: Disconnects and Commands anycable-go sends for sessions the
// helper would refuse to drive (a rejected connect, a closed session, subscriptions it never
// confirmed or that anycable-go answered itself). These drive the RPC handler directly.
describe("RPC calls outside a session's normal life", () => {
  let rpc: CallMonitorRpc;
  let bridge: string;

  beforeEach(async () => {
    rpc = callMonitorRpc();
    bridge = await rpc.identify(twilioHeaders());
  });

  it("rejects a bridge connection whose credential names another call, its performs, and a Disconnect listing it", async () => {
    const other = "CAffffffffffffffffffffffffffffffff";
    const elsewhere = await rpc.identify(twilioHeaders(other));
    expect(JSON.parse(elsewhere)).toEqual({ role: "twilio", callSid: other });
    const response = await rpc.subscribe(elsewhere);
    expect(response.status).toBe(Status.FAILURE);
    expect(response.transmissions).toEqual([JSON.stringify(rejected())]);
    expect((await rpc.perform(elsewhere, transcript("x", "not my call", true))).status).toBe(Status.ERROR);
    expect((await rpc.disconnect(elsewhere)).status).toBe(Status.SUCCESS);
    expect(rpc.broadcaster.all).toEqual([]);
    expect(await rpc.registry.liveCalls()).toEqual([]);
  });

  it("handles a transcript that arrives after the call ended", async () => {
    await rpc.subscribe(bridge);
    await rpc.disconnect(bridge);
    rpc.broadcaster.publications.length = 0;
    const response = await rpc.perform(bridge, transcript("late", "Goodbye.", true));
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
