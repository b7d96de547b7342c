// The player behind `npm run simulate` and the fake Twilio REST API, against a local ws server
// standing in for the bridge: how it reports a refused or missing far end, a far end that closes
// early or never, and a hang-up, each as Twilio would end the stream.
import type { IncomingMessage } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";
import { silentLogger } from "../../../../src/index.js";
import { parseRecording } from "../../../../channels/media-stream/recording.js";
import {
  newStreamSid,
  playMediaStream,
  streamSignature,
  StreamRefusedError,
  twilioStreamSteps,
  type PlayStreamOptions,
} from "../../../../channels/media-stream/stream-player.js";
import { captureLogger } from "../../../support/capture-logger.js";
import { syntheticRecording } from "../../../support/synthetic-recording.js";
import { withTimeout } from "../../../support/wait.js";

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
    const outcome = await withTimeout(playMediaStream(options(url)), 10_000, "the stream to play");
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
    // Two and a half seconds of stream, so the close comes well before its end even on a busy host.
    const recording = syntheticRecording({ callSid: CALL, accountSid: ACCOUNT, utterances: 1, toneMs: 2_000, silenceMs: 200 });
    const outcome = await playMediaStream(options(url, { speed: 1, recording }));
    expect(outcome).toMatchObject({ completed: false, closeCode: 1008, closeReason: "policy" });
    expect(received).not.toContain("stop");
    expect(outcome.mediaFrames).toBeLessThan(recording.media.inbound.length);
  });

  it("drops a far end that never closes after stop, as an abnormal close", async () => {
    const url = await startFarEnd(() => undefined);
    // timeoutMs bounds the wait for the far end's close: well before the 10 s default.
    const outcome = await withTimeout(playMediaStream(options(url, { timeoutMs: 300 })), 5_000, "the player to give up");
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

/** A recording of two media frames (one per track), a mark, and the pauses between them. */
function smallRecording(pauseSeconds = 0.02) {
  const stream = `MZ${"1".repeat(32)}`;
  const media = (track: string, chunk: number, payload: string) =>
    `{"event":"media","sequenceNumber":"9${chunk}","streamSid":"${stream}","media":{"track":"${track}","chunk":"${chunk}","timestamp":"${chunk * 20}","payload":"${payload}"}}`;
  return parseRecording(`
- send: {data: {event: connected, protocol: Call, version: "0.9"}}
- send: {data: {event: start, sequenceNumber: "7", streamSid: ${stream}, start: {accountSid: ACrecorded, streamSid: ${stream}, callSid: CA${"2".repeat(32)}, tracks: [inbound, outbound], customParameters: {recorded: "yes"}, mediaFormat: {encoding: audio/x-mulaw, sampleRate: 8000, channels: 1}}}}
- sleep: {time: ${pauseSeconds}}
- send: {data: ${media("inbound", 1, "AAE=")}}
- send: {data: {event: mark, sequenceNumber: "8", streamSid: ${stream}, mark: {name: greeting}}}
- sleep: {time: 0.5}
- send: {data: ${media("outbound", 2, "AgM=")}}
- send: {data: {event: stop, sequenceNumber: "99", streamSid: ${stream}, stop: {accountSid: ACrecorded, callSid: CA${"2".repeat(32)}}}}
`);
}

describe("the frames Twilio would send for a recording", () => {
  it("are connected, start with this call's identity, the media renumbered from 2 with the pauses, then stop", () => {
    const streamSid = `MZ${"3".repeat(32)}`;
    const steps = twilioStreamSteps(smallRecording(), {
      accountSid: ACCOUNT,
      callSid: CALL,
      streamSid,
      customParameters: { streamToken: "t" },
    });
    expect(steps).toEqual([
      { kind: "frame", frame: { event: "connected", protocol: "Call", version: "1.0.0" } },
      {
        kind: "frame",
        frame: {
          event: "start",
          sequenceNumber: "1",
          streamSid,
          start: {
            accountSid: ACCOUNT,
            streamSid,
            callSid: CALL,
            tracks: ["inbound", "outbound"],
            mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
            customParameters: { streamToken: "t" },
          },
        },
      },
      { kind: "pause", ms: 20 },
      {
        kind: "frame",
        frame: {
          event: "media",
          sequenceNumber: "2",
          streamSid,
          media: { track: "inbound", chunk: "1", timestamp: "20", payload: "AAE=" },
        },
      },
      { kind: "pause", ms: 500 },
      {
        kind: "frame",
        frame: {
          event: "media",
          sequenceNumber: "3",
          streamSid,
          media: { track: "outbound", chunk: "2", timestamp: "40", payload: "AgM=" },
        },
      },
      { kind: "frame", frame: { event: "stop", sequenceNumber: "4", streamSid, stop: { accountSid: ACCOUNT, callSid: CALL } } },
    ]);
  });

  it("come with a fresh stream SID in Twilio's shape for each call", () => {
    const first = newStreamSid();
    expect(first).toMatch(/^MZ[0-9a-f]{32}$/);
    expect(newStreamSid()).not.toBe(first);
  });
});

describe("playing a media stream, further", () => {
  let silent: Server | undefined;
  afterEach(async () => {
    if (!silent) return;
    await new Promise((resolve) => silent!.close(resolve));
    silent = undefined;
  });

  it("gives up on a far end that takes the connection but never answers the upgrade", async () => {
    const sockets: Socket[] = [];
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent!.listen(0, "127.0.0.1", resolve));
    const url = `ws://127.0.0.1:${(silent.address() as { port: number }).port}/media`;
    // timeoutMs bounds the upgrade too: well before the 10 s default.
    await expect(withTimeout(playMediaStream(options(url, { timeoutMs: 200 })), 5_000, "the refusal")).rejects.toMatchObject({
      name: "StreamRefusedError",
      message: `cannot open ${url}: Opening handshake has timed out`,
    });
    for (const socket of sockets) socket.destroy();
  });

  it("offers no compression and logs the stream's start and its stop with the media count", async () => {
    const logs = captureLogger();
    let extensions: string | undefined;
    const url = await startFarEnd((ws, events, request) => {
      extensions = request.headers["sec-websocket-extensions"];
      ws.on("message", () => {
        if (events.at(-1) === "stop") ws.close(1000, "stream ended");
      });
    });
    const outcome = await playMediaStream(options(url, { recording: smallRecording(0), logger: logs.logger }));
    expect(extensions).toBeUndefined();
    expect(outcome).toEqual({ mediaFrames: 2, completed: true, closeCode: 1000, closeReason: "stream ended" });
    const info = logs.at("info");
    expect(info.map((line) => line.msg)).toEqual(["media stream open", "→ start", "→ stop"]);
    expect(info[0]).toMatchObject({ callSid: CALL, url, streamSid: expect.stringMatching(/^MZ[0-9a-f]{32}$/) });
    expect(info[2]).toMatchObject({ mediaFrames: 2 });
  });

  it("logs a socket error from the far end and ends the stream there", async () => {
    const logs = captureLogger();
    const url = await startFarEnd((ws) => {
      ws.on("message", (data) => {
        // A frame with RSV1 set and no extension negotiated: the player's socket must fail.
        if ((JSON.parse(data.toString()) as { event: string }).event === "start")
          (ws as unknown as { _socket: Socket })._socket.write(Buffer.from([0xc1, 0x00]));
      });
    });
    const outcome = await playMediaStream(options(url, { logger: logs.logger, speed: 1 }));
    expect(logs.at("warn")).toMatchObject([{ msg: "media stream socket error", err: "Invalid WebSocket frame: RSV1 must be clear" }]);
    expect(outcome).toMatchObject({ completed: false, closeCode: 1006 });
    expect(logs.at("info").map((line) => line.msg)).not.toContain("→ stop");
  });

  it("sends this call's identity and parameters in start, and plays at the given speed", async () => {
    const frames: Array<Record<string, unknown>> = [];
    const url = await startFarEnd((ws) => {
      ws.on("message", (data) => {
        frames.push(JSON.parse(data.toString()) as Record<string, unknown>);
        if (frames.at(-1)?.event === "stop") ws.close(1000, "stream ended");
      });
    });
    // An hour of pause at a million times real time is 3.6 ms.
    const play = playMediaStream(options(url, { recording: smallRecording(3600), speed: 1_000_000 }));
    const outcome = await withTimeout(play, 10_000, "the stream to play");
    expect(outcome).toMatchObject({ mediaFrames: 2, completed: true });
    const start = frames[1] as { streamSid: string; start: Record<string, unknown> };
    expect(start.streamSid).toMatch(/^MZ[0-9a-f]{32}$/);
    expect(start.start).toMatchObject({
      accountSid: ACCOUNT,
      callSid: CALL,
      streamSid: start.streamSid,
      customParameters: { streamToken: "t" },
    });
    expect(frames.at(-1)).toMatchObject({ event: "stop", streamSid: start.streamSid, stop: { accountSid: ACCOUNT, callSid: CALL } });
  });

  it("stops at once when the far end closes during a pause, without sitting out the pauses that follow", async () => {
    const url = await startFarEnd((ws, events) => {
      ws.on("message", () => {
        if (events.at(-1) === "start") ws.close(1011, "bridge failed");
      });
    });
    // Two pauses in a row: the close arrives in the first, and the second must not be waited for.
    const recording = parseRecording(
      `- send: {data: {event: connected, protocol: Call, version: "1"}}
- send: {data: {event: start, sequenceNumber: "1", streamSid: MZ${"1".repeat(32)}, start: {accountSid: AC1, streamSid: MZ${"1".repeat(32)}, callSid: ${CALL}, tracks: [inbound], mediaFormat: {encoding: audio/x-mulaw, sampleRate: 8000, channels: 1}}}}
- sleep: {time: 0.2}
- sleep: {time: 3600}
- send: {data: {event: stop, sequenceNumber: "2", streamSid: MZ${"1".repeat(32)}, stop: {accountSid: AC1, callSid: ${CALL}}}}`,
    );
    const outcome = await withTimeout(playMediaStream(options(url, { recording, speed: 1 })), 10_000, "the player to stop");
    expect(outcome).toEqual({ mediaFrames: 0, completed: false, closeCode: 1011, closeReason: "bridge failed" });
  });

  it("sends nothing more once the far end has sent its close, even while the socket is still open", async () => {
    const url = await startFarEnd((ws, events) => {
      ws.on("message", () => {
        if (events.at(-1) !== "start") return;
        // A close frame (1000) written by hand, and the far end stops reading: the player's socket
        // stays CLOSING, with no close event, until the player gives up on it.
        const socket = (ws as unknown as { _socket: Socket })._socket;
        socket.write(Buffer.from([0x88, 0x02, 0x03, 0xe8]));
        socket.pause();
      });
    });
    const outcome = await withTimeout(
      // The close frame arrives during the first pause (2 s, ample on a busy host); media follows it.
      playMediaStream(options(url, { recording: smallRecording(2), speed: 1, timeoutMs: 500 })),
      10_000,
      "the player to stop",
    );
    expect(outcome).toMatchObject({ mediaFrames: 0, completed: false });
  });

  it("on hang-up during a long pause stops waiting and sends stop at once", async () => {
    const hangUp = new AbortController();
    let received: string[] = [];
    const url = await startFarEnd((ws, events) => {
      received = events;
      ws.on("message", () => {
        if (events.length === 2) hangUp.abort();
        if (events.at(-1) === "stop") ws.close(1000, "stream ended");
      });
    });
    // The recording pauses an hour after start: only a pause the hang-up cuts short ends in time.
    const play = playMediaStream(options(url, { recording: smallRecording(3600), speed: 1, signal: hangUp.signal }));
    const outcome = await withTimeout(play, 10_000, "the player to stop after the hang-up");
    expect(received).toEqual(["connected", "start", "stop"]);
    expect(outcome).toEqual({ mediaFrames: 0, completed: false, closeCode: 1000, closeReason: "stream ended" });
  });
});
