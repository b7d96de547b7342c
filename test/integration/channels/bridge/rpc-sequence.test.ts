// Calls through the whole path a real call takes: Twilio frames -> the media-stream bridge ->
// a stock anycable-go -> the call monitor's RPC server; what the application sees, pinned RPC by RPC.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BRIDGE_CREDENTIAL_HEADER } from "../../../../channels/cable/protocol.js";
import { STREAM_TOKEN_PARAMETER } from "../../../../channels/credentials/stream-token.js";
import { openRawTwilioSocket, twilioFrames } from "../../../support/raw-twilio-socket.js";
import {
  BRIDGE_ACCOUNT_SID,
  BRIDGE_AUTH_TOKEN,
  PUBLIC_STREAM_URL,
  startBridgeStack,
  type BridgeStack,
  type RpcCall,
} from "../../../support/bridge-stack.js";
import { startFakeVoskRecognizer, type FakeVoskRecognizer } from "../../../support/fake-vosk-recognizer.js";
import { syntheticRecording } from "../../../support/synthetic-recording.js";
import { waitFor } from "../../../support/wait.js";

const identifier = (sid: string) => JSON.stringify({ channel: "twilio", sid });
const sid = (n: number) => `CA${n.toString(16).padStart(32, "0")}`;

let stack: BridgeStack;
const PHRASES = ["hello world", "america", "please call me back", "thank you goodbye"];
let speech: FakeVoskRecognizer;

beforeAll(async () => {
  speech = await startFakeVoskRecognizer(PHRASES);
  stack = await startBridgeStack({ recognizer: speech.recognizer, heartbeatIntervalMs: 300 });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  await speech?.close();
});

async function callsOnceDisconnected(callSid: string): Promise<RpcCall[]> {
  await waitFor(() => stack.rpcCallsOf(callSid).some((c) => c.rpc === "disconnect"), {
    timeoutMs: 15_000,
    description: `Disconnect of ${callSid}`,
  });
  return stack.rpcCallsOf(callSid);
}

describe("a call through the bridge", () => {
  it("gives the application the original RPC sequence: Connect, subscribe, one handle_message per result, Disconnect", async () => {
    const callSid = sid(0xa1);
    const recording = syntheticRecording({ callSid, accountSid: BRIDGE_ACCOUNT_SID, utterances: 3, withOutbound: true });
    const outcome = await stack.call(recording, { speed: 4 });
    expect(outcome).toMatchObject({ completed: true, closeCode: 1000 });

    const calls = await callsOnceDisconnected(callSid);
    const results = speech.recognizer.resultsOf(callSid);
    // The fake Vosk answers the Nth utterance with the Nth phrase: partials word by word, then the final.
    expect(results.filter((r) => r.final).map((r) => r.text)).toEqual(PHRASES.slice(0, 3));
    expect(results.filter((r) => !r.final).length).toBeGreaterThan(0);
    const [connect, subscribe, ...rest] = calls.filter((c) => c.rpc !== "command" || !c.data.includes('"heartbeat"'));
    expect(connect).toMatchObject({
      rpc: "connect",
      status: 1,
      identifiers: JSON.stringify({ role: "twilio", callSid }),
      headers: {
        "x-twilio-account": BRIDGE_ACCOUNT_SID,
        [BRIDGE_CREDENTIAL_HEADER]: expect.stringMatching(new RegExp(`^v1\\.${callSid}\\.`)),
      },
    });
    expect(subscribe).toMatchObject({ rpc: "command", command: "subscribe", identifier: identifier(callSid), status: 1 });
    const disconnect = rest.pop();
    expect(rest).toEqual(
      results.map((result) => ({
        rpc: "command",
        session: connect!.session,
        command: "message",
        identifier: identifier(callSid),
        data: JSON.stringify({ action: "handle_message", result }),
        status: 1,
      })),
    );
    expect(disconnect).toEqual({
      rpc: "disconnect",
      session: connect!.session,
      identifiers: JSON.stringify({ role: "twilio", callSid }),
      subscriptions: [identifier(callSid)],
      status: 1,
    });
    expect((await stack.registry.events(callSid)).map((e) => e.kind)).toEqual(expect.arrayContaining(["start", "transcript", "end"]));
    expect(await stack.registry.liveCalls()).toEqual([]);
  });

  it("performs heartbeat every TWILIO_BRIDGE_HEARTBEAT_INTERVAL while the stream is open", async () => {
    const callSid = sid(0xa2);
    await stack.call(syntheticRecording({ callSid, accountSid: BRIDGE_ACCOUNT_SID, utterances: 1, toneMs: 400, silenceMs: 800 }), {
      speed: 1,
    });
    const calls = await callsOnceDisconnected(callSid);
    const heartbeats = calls.filter((c) => c.rpc === "command" && c.data === JSON.stringify({ action: "heartbeat" }));
    // About 2.2 s of stream at one beat per 0.3 s.
    expect(heartbeats.length).toBeGreaterThanOrEqual(3);
  });

  it("ends the call with a Disconnect, after its last results, when Twilio drops the socket without a stop frame", async () => {
    const callSid = sid(0xa3);
    const socket = await openRawTwilioSocket(stack.bridge.url, { streamUrl: PUBLIC_STREAM_URL, authToken: BRIDGE_AUTH_TOKEN });
    const frames = twilioFrames(callSid, BRIDGE_ACCOUNT_SID, { [STREAM_TOKEN_PARAMETER]: stack.token(callSid) });
    socket.send(frames.connected());
    socket.send(frames.start());
    const tone = syntheticRecording({ callSid, accountSid: BRIDGE_ACCOUNT_SID, utterances: 1, silenceMs: 100 }).media.inbound;
    for (const frame of tone) socket.send(frames.media(frame.media.payload));
    await waitFor(() => stack.rpcCallsOf(callSid).some((c) => c.rpc === "command" && c.command === "subscribe"), { timeoutMs: 10_000 });
    socket.ws.terminate();
    const calls = await callsOnceDisconnected(callSid);
    // The utterance was still open when the socket dropped: its final is flushed before Disconnect.
    expect(calls.at(-2)).toMatchObject({ rpc: "command", data: expect.stringContaining('"final":true') });
    expect(calls.at(-1)).toMatchObject({ rpc: "disconnect", subscriptions: [identifier(callSid)], status: 1 });
  });
});
