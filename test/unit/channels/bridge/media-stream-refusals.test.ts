// Every rule a media stream can break, against the bridge in this process: the stream is closed
// with the code and reason that name the rule, the reason is logged, and a call that had started
// still ends cleanly (its cable closed, so anycable-go runs Disconnect).
import { describe, expect, it, vi } from "vitest";
import { STREAM_TOKEN_PARAMETER, StreamTokens } from "../../../../channels/credentials/stream-token.js";
import { StreamRefusal } from "../../../../channels/bridge/media-stream-session.js";
import { MAX_FRAME_BYTES } from "../../../../channels/bridge/stream-rules.js";
import { twilioFrames, type RawTwilioSocket } from "../../../support/raw-twilio-socket.js";
import { waitFor, withTimeout } from "../../../support/wait.js";
import { ACCOUNT_SID, SECRET, callSid, unitBridgePerTest, type UnitBridgeOptions } from "../support/media-stream-bridge.js";

const harness = unitBridgePerTest();
const start = (options?: UnitBridgeOptions) => harness.start(options);

/** Polls on the event loop's check phase, which fake timers leave alone. */
async function until(predicate: () => boolean): Promise<void> {
  for (let turns = 0; !predicate(); turns++) {
    if (turns > 100_000) throw new Error("gave up waiting");
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const closedWith = (socket: RawTwilioSocket) => withTimeout(socket.closed, 10_000, "the bridge's close");

/** A started call: connected, start (sequence 1) and one media frame (2). */
async function afterStart(sid: string) {
  const socket = await harness.unit.open();
  const frames = harness.unit.frames(sid);
  socket.send(frames.connected());
  socket.send(frames.start());
  socket.send(frames.media());
  await waitFor(() => harness.unit.cable.connections[0]?.received.length === 1, { timeoutMs: 5_000, description: "the subscribe" });
  return { socket, frames };
}

/** The call's cable closes: anycable-go would run Disconnect. */
const cableClosed = () => withTimeout(harness.unit.cable.connections[0]!.closed, 5_000, "the cable's close");

describe("frames of a started call", () => {
  it("closes on a frame that is not JSON, logs why, and ends the call cleanly", async () => {
    await start();
    const sid = callSid(0x401);
    const { socket } = await afterStart(sid);
    socket.send("{not json");
    expect(await closedWith(socket)).toEqual({ code: 1007, reason: "frame is not JSON" });
    await cableClosed();
    expect(harness.logs.at("warn")).toMatchObject([
      { msg: "media stream closed: frame is not JSON", code: 1007, reason: "frame is not JSON", callSid: sid },
    ]);
    expect(harness.speech.streams[0]!.closed).toBe(true);
    // The bridge closed the socket itself: that is not a stream that vanished without a stop.
    await waitFor(() => harness.logs.lines.some((l) => l.msg === "call ended"), { timeoutMs: 5_000 });
    expect(harness.logs.lines.map((l) => l.msg)).not.toContain("media stream socket closed without a stop frame");
  });

  it("does not take a socket it closed itself, while the call still flushes, for one that closed without a stop", async () => {
    await start();
    const sid = callSid(0x410);
    const { socket } = await afterStart(sid);
    // The recognizer finishes only after Twilio's side has seen the close: the socket's close
    // event reaches the bridge while the call is still ending.
    harness.speech.streams[0]!.onEnd = async () => {
      await socket.closed;
      await new Promise((resolve) => setTimeout(resolve, 50));
    };
    socket.send("{not json");
    expect(await closedWith(socket)).toEqual({ code: 1007, reason: "frame is not JSON" });
    await waitFor(() => harness.logs.lines.some((l) => l.msg === "call ended"), { timeoutMs: 5_000 });
    expect(harness.logs.lines.map((l) => l.msg)).not.toContain("media stream socket closed without a stop frame");
  });

  it("names its refusals", () => {
    expect(new StreamRefusal(1008, "a second start frame")).toMatchObject({
      name: "StreamRefusal",
      code: 1008,
      message: "a second start frame",
    });
  });

  it("closes on a binary frame", async () => {
    await start();
    const { socket } = await afterStart(callSid(0x402));
    socket.send(Buffer.from([1, 2, 3]));
    expect(await closedWith(socket)).toEqual({ code: 1003, reason: "binary frame: Twilio sends JSON text frames" });
    await cableClosed();
  });

  it("closes on a frame that does not match Twilio's shape, naming the field", async () => {
    await start();
    const { socket, frames } = await afterStart(callSid(0x403));
    const media = frames.media();
    socket.send({ ...media, media: { ...media.media, track: "both" } });
    expect(await closedWith(socket)).toEqual({
      code: 1007,
      reason: 'malformed frame at media.track: Invalid option: expected one of "inbound"|"outbound"',
    });
  });

  it("closes on JSON that is not an object, with no field to name", async () => {
    await start();
    const socket = await harness.unit.open();
    socket.send("[]");
    expect(await closedWith(socket)).toEqual({ code: 1007, reason: "malformed frame: Invalid input: expected object, received array" });
  });

  it("cuts a reason to the 120 bytes a close frame can carry, and logs it whole", async () => {
    await start();
    const socket = await harness.unit.open();
    const frames = twilioFrames(callSid(0x404), ACCOUNT_SID, {});
    const start_ = frames.start();
    const key = "k".repeat(100);
    socket.send({ ...start_, start: { ...start_.start, customParameters: { [key]: 1 } } });
    const reason = `malformed frame at start.customParameters.${key}: Invalid input: expected string, received number`;
    expect(await closedWith(socket)).toEqual({ code: 1007, reason: reason.slice(0, 120) });
    expect(harness.logs.at("warn")).toMatchObject([{ reason }]);
  });

  it("closes on an out-of-order sequenceNumber", async () => {
    await start();
    const { socket, frames } = await afterStart(callSid(0x405));
    frames.skip();
    socket.send(frames.media());
    expect(await closedWith(socket)).toEqual({ code: 1008, reason: "out-of-order frame: sequenceNumber 4 after 2" });
    await cableClosed();
  });

  it("closes on a repeated sequenceNumber", async () => {
    await start();
    const { socket, frames } = await afterStart(callSid(0x406));
    socket.send({ ...frames.media(), sequenceNumber: "2" });
    expect(await closedWith(socket)).toEqual({ code: 1008, reason: "out-of-order frame: sequenceNumber 2 after 2" });
  });

  it.each([
    ["zero", "0"],
    ["a leading zero", "01"],
    ["a word", "two"],
    ["a number with a tail", "1x"],
    ["a decimal", "1.0"],
    ["a number after a space", " 1"],
    ["a number before a space", "1 "],
    ["beyond a safe integer", "9".repeat(16)],
  ])("closes on a sequenceNumber that is %s", async (_label, sequenceNumber) => {
    await start();
    const socket = await harness.unit.open();
    socket.send({ ...harness.unit.frames(callSid(0x407)).start(), sequenceNumber });
    expect(await closedWith(socket)).toEqual({ code: 1007, reason: `sequenceNumber "${sequenceNumber}" is not a positive integer` });
  });

  it("quotes at most 20 characters of a bad sequenceNumber", async () => {
    await start();
    const socket = await harness.unit.open();
    socket.send({ ...harness.unit.frames(callSid(0x408)).start(), sequenceNumber: "x".repeat(30) });
    expect(await closedWith(socket)).toEqual({ code: 1007, reason: `sequenceNumber "${"x".repeat(20)}" is not a positive integer` });
  });

  it("accepts the largest safe sequenceNumber that follows", async () => {
    // Sixteen digits are allowed; the first frame must still be number 1.
    await start();
    const socket = await harness.unit.open();
    socket.send({ ...harness.unit.frames(callSid(0x409)).start(), sequenceNumber: "1000000000000000" });
    expect(await closedWith(socket)).toEqual({ code: 1008, reason: "out-of-order frame: sequenceNumber 1000000000000000 after 0" });
  });

  it("closes on a connected frame after the stream started", async () => {
    await start();
    const { socket, frames } = await afterStart(callSid(0x40a));
    socket.send(frames.connected());
    expect(await closedWith(socket)).toEqual({ code: 1008, reason: "connected frame after the stream started" });
  });

  it("closes on a second start frame, even one in sequence", async () => {
    await start();
    const { socket, frames } = await afterStart(callSid(0x40b));
    socket.send(frames.start());
    expect(await closedWith(socket)).toEqual({ code: 1008, reason: "a second start frame" });
    expect(harness.unit.cable.connections).toHaveLength(1);
  });

  it("closes on a frame for another stream", async () => {
    await start();
    const { socket, frames } = await afterStart(callSid(0x40c));
    socket.send({ ...frames.media(), streamSid: `MZ${"9".repeat(32)}` });
    expect(await closedWith(socket)).toEqual({ code: 1008, reason: "frame for another stream (streamSid differs from start)" });
  });

  it("closes on a media payload beyond one second of audio, and takes one second", async () => {
    await start();
    const { socket, frames } = await afterStart(callSid(0x40d));
    socket.send(frames.media(Buffer.alloc(8000, 0xff).toString("base64")));
    socket.send(frames.media(Buffer.alloc(8001, 0xff).toString("base64")));
    expect(await closedWith(socket)).toEqual({ code: 1008, reason: "media payload of 8001 bytes (at most 8000)" });
  });

  it("ignores frames that follow the one that broke a rule", async () => {
    await start();
    const sid = callSid(0x40e);
    const { socket, frames } = await afterStart(sid);
    socket.send("{not json");
    socket.send("{still not json");
    socket.send(frames.stop());
    expect(await closedWith(socket)).toEqual({ code: 1007, reason: "frame is not JSON" });
    await cableClosed();
    expect(harness.logs.at("warn").map((l) => l.msg)).toEqual(["media stream closed: frame is not JSON"]);
    expect(harness.logs.at("info").map((l) => l.msg)).not.toContain("stop frame: ending the call");
  });

  it("closes with 1011 when the bridge itself fails, and logs the error at error level", async () => {
    await start();
    harness.speech.prepare = (stream) => (stream.failWrites = new Error("recognizer exploded"));
    const sid = callSid(0x40f);
    const { socket, frames } = await afterStart(sid);
    for (let i = 0; i < 5; i++) socket.send(frames.media());
    expect(await closedWith(socket)).toEqual({ code: 1011, reason: "bridge failure: recognizer exploded" });
    expect(harness.logs.at("error")).toMatchObject([
      { msg: "media stream closed: bridge failure: recognizer exploded", code: 1011, err: { message: "recognizer exploded" } },
    ]);
    await cableClosed();
  });

  it("closes on a frame larger than 64 KiB, with a logged reason", async () => {
    await start();
    const socket = await harness.unit.open();
    socket.send("x".repeat(MAX_FRAME_BYTES + 1));
    expect((await closedWith(socket)).code).toBe(1009);
    expect(harness.logs.at("warn")).toMatchObject([
      {
        msg: "media stream closed: the socket broke a WebSocket rule",
        err: "Max payload size exceeded",
        code: "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH",
      },
    ]);
  });

  it("takes a frame of exactly 64 KiB", async () => {
    await start();
    const socket = await harness.unit.open();
    const frame = JSON.stringify({ event: "connected", protocol: "Call", version: "1.0.0" });
    socket.send(frame + " ".repeat(MAX_FRAME_BYTES - frame.length));
    socket.send("{not json");
    expect(await closedWith(socket)).toEqual({ code: 1007, reason: "frame is not JSON" });
  });
});

describe("before start", () => {
  it.each(["media", "stop"] as const)("closes on %s before start", async (event) => {
    await start();
    const socket = await harness.unit.open();
    const frames = harness.unit.frames(callSid(0x501));
    socket.send(frames.connected());
    socket.send(frames[event]());
    expect(await closedWith(socket)).toEqual({ code: 1008, reason: `${event} frame before start` });
    expect(harness.unit.cable.connections).toHaveLength(0);
    // The stream ends like any other: released, with nothing dropped.
    expect(await waitFor(() => harness.logs.lines.find((l) => l.msg === "call ended"), { timeoutMs: 5_000 })).toMatchObject({
      droppedPerforms: 0,
    });
    await waitFor(() => harness.unit.bridge.streams === 0, { timeoutMs: 5_000 });
  });

  it("closes a stream that sends no start within 10 s", async () => {
    await start();
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const socket = await harness.unit.open();
    socket.send(harness.unit.frames(callSid(0x502)).connected());
    await until(() => harness.unit.bridge.streams === 1);
    vi.advanceTimersByTime(9_999);
    expect(harness.logs.at("warn")).toEqual([]);
    vi.advanceTimersByTime(1);
    vi.useRealTimers();
    expect(await closedWith(socket)).toEqual({ code: 1008, reason: "no start frame within 10 s" });
  });

  it("does not close a started stream when the start deadline passes", async () => {
    await start();
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const sid = callSid(0x503);
    const socket = await harness.unit.open();
    const frames = harness.unit.frames(sid);
    socket.send(frames.start());
    await until(() => harness.logs.lines.some((l) => l.msg === "call connected: results flow to handle_message"));
    vi.advanceTimersByTime(10_000);
    vi.useRealTimers();
    socket.send(frames.stop());
    expect(await closedWith(socket)).toEqual({ code: 1000, reason: "stream ended" });
  });

  it("closes on a start whose start.streamSid differs from the frame's, before anything reaches anycable-go", async () => {
    await start();
    const socket = await harness.unit.open();
    const start_ = harness.unit.frames(callSid(0x504)).start();
    socket.send({ ...start_, start: { ...start_.start, streamSid: `MZ${"8".repeat(32)}` } });
    expect(await closedWith(socket)).toEqual({ code: 1008, reason: "start.streamSid differs from the frame's streamSid" });
    expect(harness.unit.cable.connections).toHaveLength(0);
    expect(harness.speech.streams).toHaveLength(0);
  });

  it("closes on a start for another Twilio account", async () => {
    await start();
    const socket = await harness.unit.open();
    const sid = callSid(0x505);
    socket.send(twilioFrames(sid, `AC${"0c".repeat(16)}`, { [STREAM_TOKEN_PARAMETER]: harness.unit.token(sid) }).start());
    expect(await closedWith(socket)).toEqual({ code: 1008, reason: "start.accountSid is not the configured TWILIO_ACCOUNT_SID" });
    expect(harness.unit.cable.connections).toHaveLength(0);
  });

  it.each([
    ["missing", () => ({})],
    ["malformed", () => ({ [STREAM_TOKEN_PARAMETER]: "not-a-token" })],
    ["invalid", (sid: string) => ({ [STREAM_TOKEN_PARAMETER]: new StreamTokens("another-secret-0123456789abcdef").mint(sid) })],
    ["expired", (sid: string) => ({ [STREAM_TOKEN_PARAMETER]: new StreamTokens(SECRET, { now: () => Date.now() - 3_600_000 }).mint(sid) })],
  ] as const)("closes on a start whose stream token is %s", async (verdict, parameters) => {
    await start();
    const sid = callSid(0x506);
    const socket = await harness.unit.open();
    socket.send(harness.unit.frames(sid, parameters(sid)).start());
    expect(await closedWith(socket)).toEqual({
      code: 1008,
      reason: `stream token ${verdict} (customParameters.streamToken must be minted for this call)`,
    });
    expect(harness.unit.cable.connections).toHaveLength(0);
  });

  it("closes on a start that carries no custom parameters at all", async () => {
    await start();
    const socket = await harness.unit.open();
    const start_ = harness.unit.frames(callSid(0x508)).start();
    const { customParameters: _, ...bare } = start_.start;
    socket.send({ ...start_, start: bare });
    expect(await closedWith(socket)).toEqual({
      code: 1008,
      reason: "stream token missing (customParameters.streamToken must be minted for this call)",
    });
  });

  it("warns about a stream with no inbound track, and carries on", async () => {
    await start();
    const sid = callSid(0x507);
    const socket = await harness.unit.open();
    const frames = harness.unit.frames(sid);
    const start_ = frames.start();
    socket.send({ ...start_, start: { ...start_.start, tracks: ["outbound"] } });
    socket.send(frames.stop());
    expect(await closedWith(socket)).toEqual({ code: 1000, reason: "stream ended" });
    expect(harness.logs.at("warn")).toMatchObject([
      { msg: "stream carries no inbound track: nothing to transcribe", tracks: ["outbound"], callSid: sid },
    ]);
  });
});
