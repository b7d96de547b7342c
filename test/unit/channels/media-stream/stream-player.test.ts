// The player behind `npm run simulate` and the fake Twilio REST API, against a local ws server
// standing in for the bridge: how it reports a refused or missing far end, a far end that closes
// early or never, and a hang-up, each as Twilio would end the stream.
import type { IncomingMessage } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";
import { silentLogger } from "../../../../src/index.js";
import {
  playMediaStream,
  streamSignature,
  StreamRefusedError,
  type PlayStreamOptions,
} from "../../../../channels/media-stream/stream-player.js";
import { syntheticRecording } from "../../../support/synthetic-recording.js";

const CALL = `CA${"c".repeat(32)}`;
const ACCOUNT = `AC${"a".repeat(32)}`;
const STREAM_URL = "wss://bridge.example.test/media";
const TOKEN = "player-auth-token";
let server: WebSocketServer | undefined;

afterEach(async () => {
  if (!server) return;
  for (const client of server.clients) client.terminate();
  await new Promise((resolve) => server!.close(resolve));
  server = undefined;
});

/** A far end that hands each accepted socket and its received events to `onSocket`. */
async function startFarEnd(onSocket: (ws: WebSocket, events: string[], request: IncomingMessage) => void, accept = true) {
  server = new WebSocketServer({ port: 0, host: "127.0.0.1", verifyClient: () => accept });
  await new Promise((resolve) => server!.once("listening", resolve));
  server.on("connection", (ws, request) => {
    const events: string[] = [];
    ws.on("message", (data) => events.push((JSON.parse(data.toString()) as { event: string }).event));
    onSocket(ws, events, request);
  });
  return `ws://127.0.0.1:${(server.address() as { port: number }).port}/media`;
}

function options(connectUrl: string, overrides: Partial<PlayStreamOptions> = {}): PlayStreamOptions {
  return {
    connectUrl,
    streamUrl: STREAM_URL,
    authToken: TOKEN,
    accountSid: ACCOUNT,
    callSid: CALL,
    customParameters: { streamToken: "t" },
    recording: syntheticRecording({ callSid: CALL, accountSid: ACCOUNT, utterances: 1, toneMs: 100, silenceMs: 100 }),
    speed: 100,
    timeoutMs: 2_000,
    logger: silentLogger(),
    ...overrides,
  };
}

describe("playing a media stream", () => {
  it("signs the upgrade over the stream URL and plays connected, start, media, stop until the far end closes", async () => {
    let seen: { signature: string | undefined; events: string[] } | undefined;
    const url = await startFarEnd((ws, events, request) => {
      seen = { signature: request.headers["x-twilio-signature"] as string | undefined, events };
      ws.on("message", (data) => {
        if ((JSON.parse(data.toString()) as { event: string }).event === "stop") ws.close(1000, "stream ended");
      });
    });
    const outcome = await playMediaStream(options(url));
    expect(seen?.signature).toBe(streamSignature(TOKEN, STREAM_URL));
    expect(seen?.events[0]).toBe("connected");
    expect(seen?.events[1]).toBe("start");
    expect(seen?.events.at(-1)).toBe("stop");
    expect(outcome).toEqual({ mediaFrames: seen!.events.length - 3, completed: true, closeCode: 1000, closeReason: "stream ended" });
    expect(outcome.mediaFrames).toBeGreaterThan(0);
  });

  it("reports a refused upgrade with its HTTP status", async () => {
    const url = await startFarEnd(() => undefined, false);
    const refusal = playMediaStream(options(url));
    await expect(refusal).rejects.toBeInstanceOf(StreamRefusedError);
    await expect(refusal).rejects.toMatchObject({ status: 401, message: `${url} refused the media stream: HTTP 401` });
  });

  it("reports a far end that does not listen, without a status", async () => {
    await expect(playMediaStream(options("ws://127.0.0.1:9/media"))).rejects.toMatchObject({
      name: "StreamRefusedError",
      status: undefined,
      message: expect.stringMatching(/^cannot open ws:\/\/127\.0\.0\.1:9\/media: /),
    });
  });

  it("stops sending when the far end closes the stream, and says it did not complete", async () => {
    let received: string[] = [];
    const url = await startFarEnd((ws, events) => {
      received = events;
      ws.on("message", () => {
        if (events.length === 3) ws.close(1008, "policy");
      });
    });
    const outcome = await playMediaStream(options(url, { speed: 1 }));
    expect(outcome).toMatchObject({ completed: false, closeCode: 1008, closeReason: "policy" });
    expect(received).not.toContain("stop");
    expect(outcome.mediaFrames).toBeLessThan(options(url).recording.media.inbound.length);
  });

  it("drops a far end that never closes after stop, as an abnormal close", async () => {
    const url = await startFarEnd(() => undefined);
    const outcome = await playMediaStream(options(url, { timeoutMs: 300 }));
    expect(outcome).toMatchObject({ completed: true, closeCode: 1006, closeReason: "no close from the far end" });
  });

  it("on hang-up sends no more media but still a stop, and does not call the stream completed", async () => {
    const hangUp = new AbortController();
    let received: string[] = [];
    const url = await startFarEnd((ws, events) => {
      received = events;
      ws.on("message", () => {
        if (events.length === 4) hangUp.abort();
        if (events.at(-1) === "stop") ws.close(1000, "stream ended");
      });
    });
    const outcome = await playMediaStream(options(url, { speed: 1, signal: hangUp.signal }));
    expect(received.at(-1)).toBe("stop");
    expect(outcome.completed).toBe(false);
    expect(outcome.mediaFrames).toBeLessThan(options(url).recording.media.inbound.length);
  });
});
