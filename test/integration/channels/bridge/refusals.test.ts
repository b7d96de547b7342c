// Everything a forger or a broken client can try against the bridge and the Twilio channel, with
// a real anycable-go in between: each attempt is refused, logged, and touches no call.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { STREAM_TOKEN_PARAMETER } from "../../../../channels/credentials/stream-token.js";
import { MAX_FRAME_BYTES } from "../../../../channels/bridge/stream-rules.js";
import {
  BRIDGE_ACCOUNT_SID,
  BRIDGE_AUTH_TOKEN,
  PUBLIC_STREAM_URL,
  startBridgeStack,
  type BridgeStack,
} from "../../../support/bridge-stack.js";
import { connectCable, createCableClient, SubscriptionRejectedError } from "../../../support/cable-client.js";
import { captureLogger, type CapturedLogs } from "../../../support/capture-logger.js";
import { openRawTwilioSocket, twilioFrames } from "../../../support/raw-twilio-socket.js";
import { startFakeVoskRecognizer, type FakeVoskRecognizer } from "../../../support/fake-vosk-recognizer.js";
import { syntheticRecording } from "../../../support/synthetic-recording.js";
import { waitFor } from "../../../support/wait.js";

const sid = (n: number) => `CA${n.toString(16).padStart(32, "0")}`;
let stack: BridgeStack;
const PHRASES = ["hello world", "america", "please call me back", "thank you goodbye"];
let logs: CapturedLogs;
let speech: FakeVoskRecognizer;

beforeAll(async () => {
  logs = captureLogger({ level: "info" });
  speech = await startFakeVoskRecognizer(PHRASES);
  stack = await startBridgeStack({ recognizer: speech.recognizer, logger: logs.logger });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  await speech?.close();
});

const open = (signature?: string | null) =>
  openRawTwilioSocket(stack.bridge.url, {
    streamUrl: PUBLIC_STREAM_URL,
    authToken: BRIDGE_AUTH_TOKEN,
    ...(signature === undefined ? {} : { signature }),
  });

/** Sends a start for `callSid` with these parameters and waits for the bridge to close the stream. */
async function startAndExpectClose(callSid: string, parameters: Record<string, string>, accountSid = BRIDGE_ACCOUNT_SID) {
  const socket = await open();
  const frames = twilioFrames(callSid, accountSid, parameters);
  socket.send(frames.connected());
  socket.send(frames.start());
  socket.send(frames.media());
  return socket.closed;
}

describe("before the upgrade: X-Twilio-Signature over the public stream URL", () => {
  it.each([
    ["missing", null],
    ["empty", ""],
    ["for another URL", "placeholder-other-url"],
    ["made with another auth token", "placeholder-other-token"],
  ] as const)("refuses a %s signature with 403", async (_label, kind) => {
    const { streamSignature } = await import("../../../../channels/media-stream/stream-player.js");
    const signature =
      kind === "placeholder-other-url"
        ? streamSignature(BRIDGE_AUTH_TOKEN, "wss://calls.example.test/elsewhere")
        : kind === "placeholder-other-token"
          ? streamSignature("not-the-auth-token", PUBLIC_STREAM_URL)
          : kind;
    await expect(open(signature)).rejects.toThrow("HTTP 403");
    expect(stack.bridge.streams).toBe(0);
  });

  it("answers plain HTTP with 426 and serves /health", async () => {
    const base = stack.bridge.url.replace("ws://", "http://");
    expect((await fetch(base)).status).toBe(426);
    expect(await (await fetch(`${base}health`)).text()).toBe("ok");
  });
});

describe("at start: the account and the per-call token", () => {
  it("refuses a stream without a token", async () => {
    const callSid = sid(0xb1);
    expect(await startAndExpectClose(callSid, {})).toEqual({ code: 1008, reason: expect.stringMatching(/^stream token missing/) });
    expect(stack.rpcCallsOf(callSid)).toEqual([]);
  });

  it("refuses an expired token", async () => {
    const callSid = sid(0xb2);
    const expired = stack.token(callSid, { now: () => Date.now() - 10 * 60_000 });
    expect(await startAndExpectClose(callSid, { [STREAM_TOKEN_PARAMETER]: expired })).toMatchObject({
      code: 1008,
      reason: expect.stringMatching(/^stream token expired/),
    });
    expect(stack.rpcCallsOf(callSid)).toEqual([]);
  });

  it("refuses a token minted for another call", async () => {
    const callSid = sid(0xb3);
    const other = stack.token(sid(0xbb));
    expect(await startAndExpectClose(callSid, { [STREAM_TOKEN_PARAMETER]: other })).toMatchObject({
      code: 1008,
      reason: expect.stringMatching(/^stream token invalid/),
    });
    expect(stack.rpcCallsOf(callSid)).toEqual([]);
  });

  it("refuses a token minted with another secret", async () => {
    const callSid = sid(0xb4);
    const forged = stack.token(callSid, { secret: "attacker-secret-0123456789abcdef" });
    expect(await startAndExpectClose(callSid, { [STREAM_TOKEN_PARAMETER]: forged })).toMatchObject({
      code: 1008,
      reason: expect.stringMatching(/^stream token invalid/),
    });
  });

  it("refuses a start whose accountSid is not TWILIO_ACCOUNT_SID", async () => {
    const callSid = sid(0xb5);
    const closed = await startAndExpectClose(
      callSid,
      { [STREAM_TOKEN_PARAMETER]: stack.token(callSid) },
      "AC0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0c",
    );
    expect(closed).toEqual({ code: 1008, reason: "start.accountSid is not the configured TWILIO_ACCOUNT_SID" });
    expect(stack.rpcCallsOf(callSid)).toEqual([]);
  });

  it("refuses a second stream for a call that is live, and the first one carries on", async () => {
    const callSid = sid(0xb6);
    const first = stack.call(syntheticRecording({ callSid, accountSid: BRIDGE_ACCOUNT_SID, utterances: 3 }), { speed: 1 });
    await waitFor(() => stack.rpcCallsOf(callSid).some((c) => c.rpc === "command" && c.command === "subscribe" && c.status === 1), {
      timeoutMs: 10_000,
    });
    const second = await startAndExpectClose(callSid, { [STREAM_TOKEN_PARAMETER]: stack.token(callSid) });
    expect(second).toMatchObject({ code: 1011, reason: expect.stringMatching(/rejected the call's subscription/) });
    expect(await first).toMatchObject({ completed: true, closeCode: 1000 });
    const subscribes = stack.rpcCallsOf(callSid).filter((c) => c.rpc === "command" && c.command === "subscribe");
    expect(subscribes.map((c) => c.status)).toEqual([1, 2]); // SUCCESS, then FAILURE (reject_subscription)
    const finals = stack
      .rpcCallsOf(callSid)
      .filter((c) => c.rpc === "command" && c.data.includes('"final":true'))
      .map((c) => (c.rpc === "command" ? JSON.parse(c.data).result.text : ""));
    expect(finals).toEqual(PHRASES.slice(0, 3));
  });
});

describe("frames: malformed, oversized, out of order", () => {
  async function afterStart(callSid: string) {
    const socket = await open();
    const frames = twilioFrames(callSid, BRIDGE_ACCOUNT_SID, { [STREAM_TOKEN_PARAMETER]: stack.token(callSid) });
    socket.send(frames.connected());
    socket.send(frames.start());
    socket.send(frames.media());
    return { socket, frames };
  }

  it("closes on a frame that is not JSON, and ends the call cleanly", async () => {
    const callSid = sid(0xc1);
    const { socket } = await afterStart(callSid);
    socket.send("{not json");
    expect(await socket.closed).toEqual({ code: 1007, reason: "frame is not JSON" });
    await waitFor(() => stack.rpcCallsOf(callSid).some((c) => c.rpc === "disconnect"), { timeoutMs: 10_000 });
  });

  it("closes on a frame that does not match Twilio's shape, naming the field", async () => {
    const { socket, frames } = await afterStart(sid(0xc2));
    const media = frames.media();
    socket.send({ ...media, media: { ...media.media, payload: "not base64!" } });
    expect(await socket.closed).toMatchObject({ code: 1007, reason: expect.stringMatching(/^malformed frame at media\.payload/) });
  });

  it("closes on an out-of-order sequenceNumber", async () => {
    const { socket, frames } = await afterStart(sid(0xc3));
    frames.skip();
    socket.send(frames.media());
    expect(await socket.closed).toEqual({ code: 1008, reason: "out-of-order frame: sequenceNumber 4 after 2" });
  });

  it("closes on media before start", async () => {
    const socket = await open();
    const frames = twilioFrames(sid(0xc4), BRIDGE_ACCOUNT_SID, {});
    socket.send(frames.media());
    expect(await socket.closed).toEqual({ code: 1008, reason: "media frame before start" });
  });

  it("closes on a binary frame", async () => {
    const socket = await open();
    socket.send(Buffer.from([1, 2, 3]));
    expect(await socket.closed).toMatchObject({ code: 1003 });
  });

  it("closes on a frame larger than maxPayload, with a logged reason", async () => {
    const socket = await open();
    socket.send("x".repeat(MAX_FRAME_BYTES + 1));
    expect((await socket.closed).code).toBe(1009);
    await waitFor(() => logs.lines.some((l) => /broke a WebSocket rule/.test(l.msg)), { timeoutMs: 5_000 });
  });
});

describe("through anycable-go without the bridge", () => {
  it("refuses a plain WebSocket client with the right account header: no subscription, no perform on any call", async () => {
    const live = sid(0xd1);
    const playing = stack.call(syntheticRecording({ callSid: live, accountSid: BRIDGE_ACCOUNT_SID, utterances: 2 }), { speed: 1 });
    await waitFor(() => stack.rpcCallsOf(live).some((c) => c.rpc === "command" && c.command === "subscribe"), { timeoutMs: 10_000 });

    const forger = createCableClient(stack.anycable.url, { headers: { "x-twilio-account": BRIDGE_ACCOUNT_SID } });
    expect((await forger.waitDisconnected()).reason).toBe("unauthorized");
    await forger.close();

    // Without the header it is a viewer, and a viewer may neither subscribe nor perform.
    const viewer = await connectCable(stack.anycable.url);
    await expect(viewer.subscribe("twilio", { sid: live })).rejects.toBeInstanceOf(SubscriptionRejectedError);
    const raw = new WebSocket(stack.anycable.url, ["actioncable-v1-json"]);
    await new Promise((resolve) => raw.once("open", resolve));
    raw.send(
      JSON.stringify({
        command: "message",
        identifier: JSON.stringify({ channel: "twilio", sid: live }),
        data: JSON.stringify({ action: "handle_message", result: { id: "forged", text: "forged", final: true, event: "transcript" } }),
      }),
    );
    await viewer.close();
    expect(await playing).toMatchObject({ completed: true });
    raw.close();
    const events = await stack.registry.events(live);
    expect(events.map((e) => e.key)).not.toContain("event_forged");
    expect(JSON.stringify(events)).not.toContain("forged");
  });
});
