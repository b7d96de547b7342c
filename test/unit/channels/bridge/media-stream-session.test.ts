// One Twilio media stream through the bridge, in this process: Twilio's frames in, one
// handle_message per recognition result out on the call's own cable connection, and however the
// stream ends, the last results flushed before the cable closes (which is when anycable-go runs
// Disconnect). anycable-go's side is a loopback Action Cable server; the recognizer is scripted.
import { describe, expect, it } from "vitest";
import { BRIDGE_CREDENTIAL_HEADER, TWILIO_ACCOUNT_HEADER, twilioCallIdentifier } from "../../../../channels/cable/protocol.js";
import { BridgeCredentials } from "../../../../channels/credentials/bridge-credential.js";
import { decodeMulaw } from "../../../../channels/media-stream/mulaw.js";
import type { RawTwilioSocket } from "../../../support/raw-twilio-socket.js";
import { waitFor, withTimeout } from "../../../support/wait.js";
import { performs, welcomeAndConfirm, type CableConnection } from "../support/action-cable-server.js";
import { ACCOUNT_SID, SECRET, callSid, type UnitBridgeOptions, unitBridgePerTest } from "../support/media-stream-bridge.js";
import type { ScriptedStream } from "../support/scripted-recognizer.js";

const harness = unitBridgePerTest();
const start = (options?: UnitBridgeOptions) => harness.start(options);

/** Opens a stream for the call and sends connected and start; resolves once the call's cable is confirmed. */
async function startCall(sid: string, options: { confirmed?: boolean } = {}) {
  const socket = await harness.unit.open();
  const frames = harness.unit.frames(sid);
  socket.send(frames.connected());
  socket.send(frames.start());
  if (options.confirmed !== false) await connected(sid);
  return { socket, frames, stream: await streamOf(sid) };
}

const connected = (sid: string) =>
  waitFor(() => harness.logs.lines.some((l) => l.msg === "call connected: results flow to handle_message" && l.callSid === sid), {
    timeoutMs: 5_000,
    description: `${sid} connected`,
  });

const streamOf = (sid: string): Promise<ScriptedStream> =>
  waitFor(() => harness.speech.streams.find((s) => s.callSid === sid), { timeoutMs: 5_000, description: `recognition of ${sid}` });

const cableOf = (index = 0): Promise<CableConnection> =>
  waitFor(() => harness.unit.cable.connections[index], { timeoutMs: 5_000, description: "the call's cable connection" });

/** The perform frames the cable received, parsed, heartbeats left out. */
const messages = (connection: CableConnection) => performs(connection.received).filter((data) => data.action !== "heartbeat");

const ended = (sid: string) =>
  waitFor(() => harness.logs.lines.find((l) => l.msg === "call ended" && l.callSid === sid), {
    timeoutMs: 10_000,
    description: `${sid} ended`,
  });

const closedWith = (socket: RawTwilioSocket) => withTimeout(socket.closed, 10_000, "the bridge's close");

describe("a media stream that follows Twilio's rules", () => {
  it("connects the call as the bridge, with the account header and a credential for this call only", async () => {
    await start();
    const sid = callSid(0x101);
    await startCall(sid);
    const cable = await cableOf();
    expect(cable.request.headers[TWILIO_ACCOUNT_HEADER]).toBe(ACCOUNT_SID);
    const credential = cable.request.headers[BRIDGE_CREDENTIAL_HEADER];
    expect(new BridgeCredentials(SECRET).verify(String(credential))).toEqual({ ok: true, callSid: sid });
    expect(JSON.parse(cable.received[0]!)).toEqual({ command: "subscribe", identifier: twilioCallIdentifier(sid) });
    // From the start frame on, every line names the call and its stream.
    const streamSid = `MZ${sid.slice(2)}`;
    expect(harness.logs.at("info").slice(1)).toMatchObject([
      { msg: "start frame: connecting the call to anycable-go", callSid: sid, streamSid, stream: "127.0.0.1" },
      { msg: "call connected: results flow to handle_message", callSid: sid, streamSid },
    ]);
  });

  it("turns each result with text into one handle_message; partial transcripts are the ones that may be dropped", async () => {
    await start();
    const sid = callSid(0x102);
    const { socket, frames, stream } = await startCall(sid);
    stream.say("hello", false);
    stream.say("", false);
    stream.say("   ", true);
    stream.say("hello world", true);
    stream.report({ id: "", text: "", final: false, event: "error" });
    socket.send(frames.stop());
    expect(await closedWith(socket)).toEqual({ code: 1000, reason: "stream ended" });
    const cable = await cableOf();
    await withTimeout(cable.closed, 5_000, "the cable's close");
    expect(messages(cable)).toEqual([
      { action: "handle_message", result: { id: "phrase-0", text: "hello", final: false, event: "transcript" } },
      { action: "handle_message", result: { id: "phrase-1", text: "hello world", final: true, event: "transcript" } },
      { action: "handle_message", result: { id: "", text: "", final: false, event: "error" } },
    ]);
  });

  it("drops partial transcripts, never finals or errors, when anycable-go does not keep up", async () => {
    await start();
    const sid = callSid(0x103);
    const { socket, frames, stream } = await startCall(sid);
    // In one turn of the event loop no write completes: 32 frames in flight, then 256 queued.
    for (let n = 0; n < 32 + 256; n++) stream.say(`partial ${n}`, false);
    stream.say("final words", true);
    stream.report({ id: "", text: "vosk: UNAVAILABLE", final: false, event: "error" });
    stream.say("one partial too many", false);
    socket.send(frames.stop());
    await closedWith(socket);
    expect(await ended(sid)).toMatchObject({ droppedPerforms: 3 });
    const texts = messages(await cableOf()).map((data) => (data.result as { text: string }).text);
    expect(texts).toHaveLength(32 + 256);
    expect(texts.slice(-2)).toEqual(["final words", "vosk: UNAVAILABLE"]);
    expect(texts).not.toContain("partial 32");
    expect(texts).not.toContain("partial 33");
    expect(texts).not.toContain("one partial too many");
  });

  it("sends the call's inbound audio, decoded, to the recognizer in batches of five frames, and the rest when the stream ends", async () => {
    await start();
    const sid = callSid(0x104);
    const { socket, frames, stream } = await startCall(sid);
    const payloads = Array.from({ length: 7 }, (_, i) => Buffer.alloc(160, 0x10 + i));
    for (const [i, payload] of payloads.entries()) {
      socket.send(frames.media(payload.toString("base64")));
      if (i === 2) {
        // The robot's own voice is not transcribed.
        const outbound = frames.media(Buffer.alloc(160, 0x7f).toString("base64"));
        socket.send({ ...outbound, media: { ...outbound.media, track: "outbound" } });
      }
    }
    await waitFor(() => stream.writes.length === 1, { timeoutMs: 5_000 });
    expect(stream.writes[0]).toEqual(Int16Array.from(payloads.slice(0, 5).flatMap((p) => [...decodeMulaw(p)])));
    socket.send(frames.stop());
    await ended(sid);
    expect(stream.writes).toHaveLength(2);
    expect(stream.writes[1]).toEqual(Int16Array.from(payloads.slice(5).flatMap((p) => [...decodeMulaw(p)])));
  });

  it("writes nothing more at the end when the audio came in whole batches", async () => {
    await start();
    const sid = callSid(0x10b);
    const { socket, frames, stream } = await startCall(sid);
    for (let i = 0; i < 10; i++) socket.send(frames.media());
    socket.send(frames.stop());
    await ended(sid);
    expect(stream.writes.map((pcm) => pcm.length)).toEqual([800, 800]);
  });

  it("waits for a slow anycable-go to take the last results until the flush bound, then closes anyway", async () => {
    await start({
      config: { flushTimeoutMs: 3_000 },
      cable: (connection) => {
        welcomeAndConfirm(connection.ws);
        connection.ws.on("message", (data) => {
          if ((JSON.parse(data.toString()) as { command: string }).command === "subscribe") connection.stallReading();
        });
      },
    });
    const sid = callSid(0x10c);
    const { socket, frames, stream } = await startCall(sid);
    const big = "x".repeat(64 * 1024);
    for (let n = 0; n < 100; n++) stream.say(`${n} ${big}`, true);
    const stopped = performance.now();
    socket.send(frames.stop());
    expect(await closedWith(socket)).toEqual({ code: 1000, reason: "stream ended" });
    // A timer cannot fire early, however busy the machine: this bound only fails when the wait was cut short.
    expect(performance.now() - stopped).toBeGreaterThanOrEqual(2_500);
    expect(harness.logs.at("warn").map((l) => l.msg)).toContain("cable did not take the last results in time; closing anyway");
  });

  it("lets the recognizer say its last words before the cable closes, then closes the recognizer and the stream", async () => {
    await start({ config: { flushTimeoutMs: 3_000 } });
    const sid = callSid(0x105);
    const { socket, frames, stream } = await startCall(sid);
    const cable = await cableOf();
    let cableOpenAtLastWords = false;
    stream.onEnd = async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      cableOpenAtLastWords = cable.ws.readyState === cable.ws.OPEN;
      stream.say("last words", true);
    };
    socket.send(frames.stop());
    expect(await closedWith(socket)).toEqual({ code: 1000, reason: "stream ended" });
    expect(stream.endedWithin).toBe(3_000);
    expect(cableOpenAtLastWords).toBe(true);
    expect(stream.closed).toBe(true);
    // No audio came: nothing, not even an empty batch, was written.
    expect(stream.writes).toEqual([]);
    await withTimeout(cable.closed, 5_000, "the cable's close");
    expect(messages(cable).map((data) => (data.result as { text: string }).text)).toEqual(["last words"]);
    expect(harness.logs.at("info").map((l) => l.msg)).toContain("stop frame: ending the call");
    expect(await ended(sid)).toMatchObject({ droppedPerforms: 0, callSid: sid });
  });

  it("ends the call even when the recognizer fails to finish, and says so", async () => {
    await start();
    const sid = callSid(0x106);
    const { socket, frames, stream } = await startCall(sid);
    stream.onEnd = () => Promise.reject(new Error("vosk went away"));
    socket.send(frames.stop());
    expect(await closedWith(socket)).toEqual({ code: 1000, reason: "stream ended" });
    await withTimeout((await cableOf()).closed, 5_000, "the cable's close");
    expect(harness.logs.at("warn")).toMatchObject([
      { msg: "recognizer failed to finish", err: { message: "vosk went away" }, callSid: sid },
    ]);
  });

  it("sends heartbeats while the call is connected, and none after it ended", async () => {
    await start({ config: { heartbeatIntervalMs: 40 } });
    const sid = callSid(0x107);
    const { socket, frames } = await startCall(sid);
    const cable = await cableOf();
    const heartbeats = () => performs(cable.received).filter((data) => data.action === "heartbeat");
    await waitFor(() => heartbeats().length >= 2, { timeoutMs: 5_000, description: "two heartbeats" });
    expect(heartbeats()[0]).toEqual({ action: "heartbeat" });
    socket.send(frames.stop());
    await ended(sid);
    const count = heartbeats().length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(heartbeats()).toHaveLength(count);
  });

  it("lets a heartbeat give way when anycable-go does not keep up: it never takes a queued transcript's place", async () => {
    await start({
      config: { heartbeatIntervalMs: 20, flushTimeoutMs: 10_000 },
      cable: (connection) => {
        welcomeAndConfirm(connection.ws);
        connection.ws.on("message", (data) => {
          if ((JSON.parse(data.toString()) as { command: string }).command === "subscribe") connection.stallReading();
        });
      },
    });
    const sid = callSid(0x10e);
    const { socket, frames, stream } = await startCall(sid);
    const cable = await cableOf();
    const big = "x".repeat(64 * 1024);
    const say = (from: number, count: number) => {
      for (let n = from; n < from + count; n++) stream.say(`${n} ${big}`, false);
    };
    // Far more than the socket's buffers hold: the writes back up and what is left waits in the
    // queue. Then, once the buffers are full, the queue is filled to its bound of 256 again.
    // These waits only decide whether the socket has backed up and heartbeats have come due while
    // the queue is full; with the rule kept, the outcome is the same however many do.
    say(0, 500);
    await new Promise((resolve) => setTimeout(resolve, 200));
    say(500, 300);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // No final result here: a final one takes the place of the oldest queued partial, by design.
    cable.resumeReading();
    socket.send(frames.stop());
    await closedWith(socket);
    await ended(sid);
    const texts = messages(cable).map((data) => (data.result as { text: string }).text);
    const numbers = texts.map((text) => Number(text.slice(0, text.indexOf(" "))));
    // Each batch got through as its first results in order, without a hole: the partials refused
    // were the latest ones, and no heartbeat pushed out one already queued.
    const first = numbers.filter((n) => n < 500);
    const second = numbers.filter((n) => n >= 500);
    // At least what was in flight and queued when the first batch came in (32 + 256), never all.
    expect(first.length).toBeGreaterThanOrEqual(32 + 256);
    expect(first.length + second.length).toBeLessThan(800);
    expect(numbers).toEqual([...Array(first.length).keys(), ...[...Array(second.length).keys()].map((n) => n + 500)]);
  });

  it("ends the call cleanly when Twilio's socket closes without a stop frame, and says so", async () => {
    await start();
    const sid = callSid(0x109);
    const { socket, stream } = await startCall(sid);
    stream.onEnd = () => stream.say("said as the line dropped", true);
    socket.ws.close(1001, "gone");
    const cable = await cableOf();
    await withTimeout(cable.closed, 5_000, "the cable's close");
    expect(messages(cable).map((data) => (data.result as { text: string }).text)).toEqual(["said as the line dropped"]);
    expect(harness.logs.at("info")).toContainEqual(
      expect.objectContaining({ msg: "media stream socket closed without a stop frame", code: 1001, reason: "gone", callSid: sid }),
    );
    await ended(sid);
  });

  it("does not call a stream that ended with a stop frame one that closed without it", async () => {
    await start();
    const sid = callSid(0x10a);
    const { socket, frames } = await startCall(sid);
    socket.send(frames.stop());
    await closedWith(socket);
    await ended(sid);
    expect(harness.logs.lines.map((l) => l.msg)).not.toContain("media stream socket closed without a stop frame");
  });

  it("accepts mark and dtmf frames in sequence", async () => {
    await start();
    const sid = callSid(0x108);
    const { socket, frames } = await startCall(sid);
    const { streamSid } = frames;
    socket.send({ event: "mark", sequenceNumber: "2", streamSid, mark: { name: "greeting" } });
    socket.send({ event: "dtmf", sequenceNumber: "3", streamSid, dtmf: { track: "inbound_track", digit: "1" } });
    frames.skip();
    frames.skip();
    socket.send(frames.stop());
    expect(await closedWith(socket)).toEqual({ code: 1000, reason: "stream ended" });
  });
});

describe("results that come before anycable-go confirmed the call", () => {
  /** A cable server that welcomes at once and confirms when the test says so. */
  function confirmOnRelease() {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const cable = (connection: CableConnection) => {
      connection.ws.send(JSON.stringify({ type: "welcome" }));
      connection.ws.on("message", (data) => {
        const frame = JSON.parse(data.toString()) as { command?: string; identifier?: string };
        if (frame.command === "subscribe")
          void released.then(() => connection.ws.send(JSON.stringify({ identifier: frame.identifier, type: "confirm_subscription" })));
      });
    };
    return { cable, release };
  }

  it("wait for the confirmation (at most 256 of them) and then go in order", async () => {
    const { cable, release } = confirmOnRelease();
    await start({ cable });
    const sid = callSid(0x201);
    const { socket, frames, stream } = await startCall(sid, { confirmed: false });
    await waitFor(() => harness.unit.cable.connections[0]?.received.length === 1, { timeoutMs: 5_000 });
    for (let n = 0; n < 257; n++) stream.say(`early ${n}`, true);
    expect(harness.logs.at("warn")).toMatchObject([
      { msg: "results arrived faster than anycable-go accepted the call; dropping", callSid: sid },
    ]);
    release();
    await connected(sid);
    stream.say("after", true);
    socket.send(frames.stop());
    await ended(sid);
    const texts = messages(await cableOf()).map((data) => (data.result as { text: string }).text);
    expect(texts).toEqual([...Array.from({ length: 256 }, (_, n) => `early ${n}`), "after"]);
  });

  it("still reach anycable-go when the stream ends before the confirmation, if it comes in time", async () => {
    const { cable, release } = confirmOnRelease();
    await start({ cable, config: { heartbeatIntervalMs: 20 } });
    const sid = callSid(0x202);
    const { socket, frames, stream } = await startCall(sid, { confirmed: false });
    await waitFor(() => harness.unit.cable.connections[0]?.received.length === 1, { timeoutMs: 5_000 });
    stream.say("before the confirmation", true);
    socket.send(frames.stop());
    await waitFor(() => stream.closed, { timeoutMs: 5_000 });
    // Within the flush bound the stream waits for the cable: Twilio's socket stays open meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    release();
    expect(await closedWith(socket)).toEqual({ code: 1000, reason: "stream ended" });
    const connection = await cableOf();
    await withTimeout(connection.closed, 5_000, "the cable's close");
    // The stream had ended: the call never counted as connected, so no heartbeat either.
    expect(performs(connection.received)).toEqual([
      { action: "handle_message", result: { id: "phrase-0", text: "before the confirmation", final: true, event: "transcript" } },
    ]);
    expect(harness.logs.lines.map((l) => l.msg)).not.toContain("call connected: results flow to handle_message");
  });

  it("do not hold the stream past its flush bound; a cable that opens later is closed at once", async () => {
    const { cable, release } = confirmOnRelease();
    await start({ cable, config: { flushTimeoutMs: 300 } });
    const sid = callSid(0x203);
    const { socket, frames } = await startCall(sid, { confirmed: false });
    const connection = await cableOf();
    await waitFor(() => connection.received.length === 1, { timeoutMs: 5_000 });
    const stopped = Date.now();
    socket.send(frames.stop());
    expect(await closedWith(socket)).toEqual({ code: 1000, reason: "stream ended" });
    expect(Date.now() - stopped).toBeLessThan(4_000);
    expect(connection.ws.readyState).toBe(connection.ws.OPEN);
    release();
    await withTimeout(connection.closed, 5_000, "the late cable's close");
  });
});

describe("anycable-go's side of the call", () => {
  it("lets a cable that fails after the stream ended go quietly", async () => {
    // anycable-go accepts the connection and never welcomes it; the stream ends first.
    await start({ cable: () => undefined, config: { flushTimeoutMs: 200 }, handshakeTimeoutMs: 800 });
    const sid = callSid(0x304);
    const { socket, frames } = await startCall(sid, { confirmed: false });
    const connection = await cableOf();
    socket.send(frames.stop());
    expect(await closedWith(socket)).toEqual({ code: 1000, reason: "stream ended" });
    await ended(sid);
    // The handshake bound passes after the call ended: the cable is let go, nothing else is said.
    await withTimeout(connection.closed, 5_000, "the cable's end");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(harness.logs.at("warn")).toEqual([]);
    expect(harness.logs.at("error")).toEqual([]);
  });

  it("closes the stream with 1011 when the application rejects the call's subscription", async () => {
    await start({
      cable: (connection) => {
        connection.ws.send(JSON.stringify({ type: "welcome" }));
        connection.ws.on("message", (data) => {
          const { identifier } = JSON.parse(data.toString()) as { identifier: string };
          connection.ws.send(JSON.stringify({ identifier, type: "reject_subscription" }));
        });
      },
    });
    const sid = callSid(0x301);
    const { socket, stream } = await startCall(sid, { confirmed: false });
    expect(await closedWith(socket)).toEqual({
      code: 1011,
      reason: "the application rejected the call's subscription (another stream for this call is live?)",
    });
    await ended(sid);
    expect(stream.closed).toBe(true);
  });

  it("closes the stream with 1011 when anycable-go disconnects a live call", async () => {
    let disconnect!: () => void;
    await start({
      cable: (connection) => {
        welcomeAndConfirm(connection.ws);
        disconnect = () => connection.ws.send(JSON.stringify({ type: "disconnect", reason: "server_restart", reconnect: true }));
      },
    });
    const sid = callSid(0x302);
    const { socket } = await startCall(sid);
    disconnect();
    expect(await closedWith(socket)).toEqual({ code: 1011, reason: "anycable-go disconnected the call: server_restart" });
    expect(harness.logs.at("warn")).toMatchObject([
      {
        msg: "media stream closed: anycable-go disconnected the call: server_restart",
        code: 1011,
        reason: "anycable-go disconnected the call: server_restart",
      },
    ]);
    expect(harness.logs.at("warn")[0]).not.toHaveProperty("err");
  });

  it("closes the stream with 1011 when the cable URL cannot be used", async () => {
    await start({ config: { cableUrl: "not a url" } });
    const { socket } = await startCall(callSid(0x303), { confirmed: false });
    expect(await closedWith(socket)).toEqual({ code: 1011, reason: "cable connection failed: Invalid URL" });
  });
});
