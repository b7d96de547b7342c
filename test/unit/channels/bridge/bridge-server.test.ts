// The bridge's front door, in this process: only upgrades signed by Twilio over the public stream
// URL become media streams, within a bound on simultaneous streams; plain HTTP gets a health check
// or 426; close() ends every stream the way a shutdown should (results flushed, 1001) and stops
// listening.
import type { IncomingMessage } from "node:http";
import { Socket } from "node:net";
import { describe, expect, it, vi } from "vitest";
import { startMediaStreamBridge, signedByTwilio } from "../../../../channels/bridge/bridge-server.js";
import { streamSignature } from "../../../../channels/media-stream/stream-player.js";
import { TWILIO_SIGNATURE_HEADER } from "../../../../channels/twilio/signature-header.js";
import { captureLogger } from "../../../support/capture-logger.js";
import { isPortOpen } from "../../../support/ports.js";
import { waitFor, withTimeout } from "../../../support/wait.js";
import { performs } from "../support/action-cable-server.js";
import {
  AUTH_TOKEN,
  STREAM_URL,
  callSid,
  startUnitBridge,
  type UnitBridgeOptions,
  unitBridgePerTest,
} from "../support/media-stream-bridge.js";
import { ScriptedRecognizer } from "../support/scripted-recognizer.js";

const harness = unitBridgePerTest();
const start = (options?: UnitBridgeOptions) => harness.start(options);

/** A raw HTTP/1.1 connection to the bridge, to send requests a byte at a time and read what comes back. */
function rawConnection(port: number) {
  const socket = new Socket();
  let received = "";
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => (received += chunk));
  const connected = new Promise<void>((resolve, reject) => socket.once("error", reject).connect(port, "127.0.0.1", resolve));
  return {
    connected,
    write: (text: string) => socket.write(text),
    answer: (until: RegExp) => waitFor(() => until.test(received) && received, { timeoutMs: 5_000, description: `${until}` }),
    destroy: () => socket.destroy(),
  };
}

const upgradeRequest = (signature?: string) =>
  [
    "GET /twilio HTTP/1.1",
    "Host: 127.0.0.1",
    "Connection: Upgrade",
    "Upgrade: websocket",
    "Sec-WebSocket-Version: 13",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    ...(signature === undefined ? [] : [`${TWILIO_SIGNATURE_HEADER}: ${signature}`]),
  ].join("\r\n") + "\r\n";

describe("Twilio's signature on the upgrade", () => {
  const request = (headers: Record<string, unknown>) => ({ headers }) as unknown as IncomingMessage;
  const signature = streamSignature(AUTH_TOKEN, STREAM_URL);

  it("is accepted only over the public stream URL and with the auth token", () => {
    expect(signedByTwilio(request({ [TWILIO_SIGNATURE_HEADER]: signature }), AUTH_TOKEN, STREAM_URL)).toBe(true);
    expect(signedByTwilio(request({ [TWILIO_SIGNATURE_HEADER]: signature }), AUTH_TOKEN, "wss://calls.example.test/elsewhere")).toBe(false);
    expect(signedByTwilio(request({ [TWILIO_SIGNATURE_HEADER]: signature }), "another-token", STREAM_URL)).toBe(false);
  });

  it("is refused when missing, empty or not one string", () => {
    expect(signedByTwilio(request({}), AUTH_TOKEN, STREAM_URL)).toBe(false);
    expect(signedByTwilio(request({ [TWILIO_SIGNATURE_HEADER]: "" }), AUTH_TOKEN, STREAM_URL)).toBe(false);
    expect(signedByTwilio(request({ [TWILIO_SIGNATURE_HEADER]: [signature] }), AUTH_TOKEN, STREAM_URL)).toBe(false);
  });

  it("refuses an unsigned upgrade with 403 before any stream exists, and logs who tried", async () => {
    await start();
    await expect(harness.unit.open(null)).rejects.toThrow("HTTP 403");
    await expect(harness.unit.open(streamSignature("another-token", STREAM_URL))).rejects.toThrow("HTTP 403");
    expect(harness.unit.bridge.streams).toBe(0);
    expect(harness.logs.at("warn")).toMatchObject([
      {
        msg: "media stream refused: X-Twilio-Signature is missing or does not match TWILIO_STREAM_URL",
        remoteAddress: "127.0.0.1",
        path: "/",
      },
      { remoteAddress: "127.0.0.1" },
    ]);
  });

  it("answers a refused upgrade with a complete plain-text response", async () => {
    await start();
    const connection = rawConnection(harness.unit.bridge.port);
    await connection.connected;
    connection.write(upgradeRequest() + "\r\n");
    expect(await connection.answer(/Forbidden$/)).toBe(
      "HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nForbidden",
    );
    connection.destroy();
  });
});

describe("plain HTTP", () => {
  it("serves GET /health and answers anything else with 426", async () => {
    await start();
    const base = harness.unit.bridge.url.replace("ws://", "http://");
    const health = await fetch(`${base}health`);
    expect([health.status, health.headers.get("content-type"), await health.text()]).toEqual([200, "text/plain", "ok"]);
    for (const [path, method] of [
      ["", "GET"],
      ["health", "POST"],
      ["healthz", "GET"],
    ] as const) {
      const response = await fetch(`${base}${path}`, { method });
      expect([response.status, response.headers.get("content-type"), await response.text()]).toEqual([
        426,
        "text/plain",
        "Twilio media streams only: WebSocket upgrade required",
      ]);
    }
  });
});

describe("where it listens", () => {
  it("says where, in its URL and in its first log line", async () => {
    await start();
    const { bridge, cable } = harness.unit;
    expect(bridge.port).toBeGreaterThan(0);
    expect(bridge.url).toBe(`ws://127.0.0.1:${bridge.port}/`);
    expect(harness.logs.at("info")).toMatchObject([
      {
        msg: "media-stream bridge listening",
        listen: `127.0.0.1:${bridge.port}`,
        streamUrl: STREAM_URL,
        cableUrl: cable.url,
        recognizer: "scripted",
      },
    ]);
  });

  it("brackets an IPv6 host", async () => {
    await start({ config: { host: "::1" } });
    expect(harness.unit.bridge.url).toBe(`ws://[::1]:${harness.unit.bridge.port}/`);
    expect(harness.logs.at("info")[0]).toMatchObject({ listen: `[::1]:${harness.unit.bridge.port}` });
  });

  it("fails to start on a port that is taken", async () => {
    await start();
    const port = harness.unit.bridge.port;
    const second = captureLogger();
    await expect(startUnitBridge({ recognizer: new ScriptedRecognizer(), logger: second.logger, config: { port } })).rejects.toMatchObject({
      code: "EADDRINUSE",
    });
    expect(second.lines).toEqual([]);
  });

  it("does not negotiate permessage-deflate", async () => {
    await start();
    const socket = await harness.unit.open();
    expect(socket.ws.extensions).toBe("");
    socket.ws.close();
  });
});

describe("streams at once", () => {
  it("refuses a stream beyond TWILIO_BRIDGE_MAX_STREAMS with 503, and takes one again once a stream ended", async () => {
    await start({ config: { maxStreams: 1 } });
    const sid = callSid(0x601);
    const first = await harness.unit.open();
    await waitFor(() => harness.unit.bridge.streams === 1, { timeoutMs: 5_000 });
    await expect(harness.unit.open()).rejects.toThrow("HTTP 503");
    expect(harness.logs.at("warn")).toMatchObject([
      { msg: "media stream refused: the bridge is at capacity or closing", streams: 1, remoteAddress: "127.0.0.1", path: "/" },
    ]);
    const frames = harness.unit.frames(sid);
    first.send(frames.start());
    first.send(frames.stop());
    await withTimeout(first.closed, 5_000, "the first stream's end");
    await waitFor(() => harness.unit.bridge.streams === 0, { timeoutMs: 5_000 });
    const again = await harness.unit.open();
    expect(harness.unit.bridge.streams).toBe(1);
    again.ws.close();
  });

  it("gives each stream a logger that names its peer", async () => {
    await start();
    const socket = await harness.unit.open();
    socket.send("{not json");
    await withTimeout(socket.closed, 5_000, "the close");
    expect(harness.logs.at("warn")).toMatchObject([{ msg: "media stream closed: frame is not JSON", stream: "127.0.0.1" }]);
  });
});

describe("close()", () => {
  it("ends every stream as a shutdown (last results flushed, 1001), then stops listening", async () => {
    await start();
    const sockets = [];
    for (const n of [0x701, 0x702]) {
      const socket = await harness.unit.open();
      const frames = harness.unit.frames(callSid(n));
      socket.send(frames.start());
      sockets.push(socket);
    }
    await waitFor(() => harness.unit.cable.connections.length === 2 && harness.speech.streams.length === 2, { timeoutMs: 5_000 });
    for (const stream of harness.speech.streams) stream.onEnd = () => stream.say(`last words of ${stream.callSid}`, true);
    const port = harness.unit.bridge.port;
    const closing = harness.unit.bridge.close();
    expect(harness.unit.bridge.close()).toBe(closing);
    await withTimeout(closing, 10_000, "the bridge's close");
    for (const socket of sockets)
      expect(await withTimeout(socket.closed, 1_000, "a stream's close")).toEqual({ code: 1001, reason: "bridge shutting down" });
    for (const [i, connection] of harness.unit.cable.connections.entries()) {
      await withTimeout(connection.closed, 5_000, "a cable's close");
      expect(performs(connection.received).map((data) => (data.result as { text: string }).text)).toEqual([
        `last words of ${harness.speech.streams[i]!.callSid}`,
      ]);
    }
    expect(harness.unit.bridge.streams).toBe(0);
    expect(await isPortOpen(port)).toBe(false);
  });

  it("answers 503 to what arrives while the streams are flushing", async () => {
    await start();
    const socket = await harness.unit.open();
    socket.send(harness.unit.frames(callSid(0x703)).start());
    const stream = await waitFor(() => harness.speech.streams[0], { timeoutMs: 5_000 });
    let finish!: () => void;
    stream.onEnd = () => new Promise<void>((resolve) => (finish = resolve));
    // Requests already on their way when close() begins (connections that are not idle stay open).
    const health = rawConnection(harness.unit.bridge.port);
    const upgrade = rawConnection(harness.unit.bridge.port);
    await Promise.all([health.connected, upgrade.connected]);
    health.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    upgrade.write(upgradeRequest(streamSignature(AUTH_TOKEN, STREAM_URL)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = harness.unit.bridge.close();
    await waitFor(() => stream.endedWithin !== undefined, { timeoutMs: 5_000 });
    try {
      health.write("\r\n");
      upgrade.write("\r\n");
      expect(await health.answer(/0\r\n\r\n$/)).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n[^]*\r\n7\r\nclosing\r\n0\r\n\r\n$/);
      expect(await upgrade.answer(/Service Unavailable$/)).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
      expect(harness.logs.at("warn")).toMatchObject([{ msg: "media stream refused: the bridge is at capacity or closing", streams: 1 }]);
    } finally {
      finish();
    }
    await withTimeout(closing, 10_000, "the bridge's close");
    health.destroy();
    upgrade.destroy();
  });
});

describe("anycable-go's handshake", () => {
  it("is bounded by 10 s unless the bridge is told otherwise", async () => {
    // anycable-go that accepts the connection and never welcomes it.
    const unit = await start({ cable: () => undefined, handshakeTimeoutMs: null });
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const socket = await unit.open();
    socket.send(unit.frames(callSid(0x801)).start());
    for (let turns = 0; unit.cable.connections.length === 0; turns++) {
      if (turns > 100_000) throw new Error("no cable connection");
      await new Promise((resolve) => setImmediate(resolve));
    }
    vi.advanceTimersByTime(9_999);
    expect(harness.logs.at("warn")).toEqual([]);
    vi.advanceTimersByTime(1);
    vi.useRealTimers();
    expect(await withTimeout(socket.closed, 5_000, "the close")).toEqual({
      code: 1011,
      reason: "no welcome from anycable-go within 10000 ms",
    });
  });
});
