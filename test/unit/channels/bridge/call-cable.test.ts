// The bridge's per-call Action Cable connection against a local server that stops reading: what
// waits for a slow anycable-go is bounded, partial results give way first, nothing blocks.
import type { Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";
import { silentLogger } from "../../../../src/index.js";
import { CallCable } from "../../../../channels/bridge/call-cable.js";
import { waitFor } from "../../../support/wait.js";

const IDENTIFIER = JSON.stringify({ channel: "twilio", sid: `CA${"0".repeat(32)}` });
let server: WebSocketServer | undefined;

afterEach(async () => {
  for (const client of server?.clients ?? []) client.terminate();
  await new Promise((resolve) => server?.close(resolve));
});

/** An Action Cable server that confirms the subscription and then, optionally, stops reading. */
async function startCable(options: { stall: boolean }) {
  const received: string[] = [];
  let socket: WebSocket | undefined;
  server = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  await new Promise((resolve) => server!.once("listening", resolve));
  server.on("connection", (ws) => {
    socket = ws;
    ws.send(JSON.stringify({ type: "welcome" }));
    ws.on("message", (data) => {
      const text = data.toString();
      const message = JSON.parse(text) as { command: string };
      if (message.command === "subscribe") {
        ws.send(JSON.stringify({ identifier: IDENTIFIER, type: "confirm_subscription" }));
        if (options.stall) (ws as unknown as { _socket: Socket })._socket.pause();
        return;
      }
      received.push(text);
    });
  });
  const { port } = server.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}/cable`,
    received,
    resume: () => (socket as unknown as { _socket: Socket })._socket.resume(),
  };
}

function open(url: string, maxQueued: number) {
  return CallCable.open({
    url,
    headers: {},
    identifier: IDENTIFIER,
    logger: silentLogger(),
    handshakeTimeoutMs: 5_000,
    maxQueued,
    onLost: () => undefined,
  });
}

describe("the bridge's cable connection for one call", () => {
  it("sends performs in order and flushes them before closing", async () => {
    const cable = await startCable({ stall: false });
    const call = await open(cable.url, 8);
    // 32 frames in flight on the socket plus 8 queued, all at once.
    for (let i = 0; i < 40; i++) expect(call.perform("handle_message", { n: i }, false)).toBe(true);
    await call.close(5_000);
    await waitFor(() => cable.received.length === 40, { timeoutMs: 5_000 });
    expect(cable.received.map((frame) => JSON.parse(JSON.parse(frame).data).n)).toEqual([...Array(40).keys()]);
    expect(call.dropped).toBe(0);
  });

  it("bounds what waits for a server that stopped reading, dropping partials first, without blocking", async () => {
    const cable = await startCable({ stall: true });
    const call = await open(cable.url, 4);
    const big = "x".repeat(64 * 1024);
    const started = performance.now();
    // Far more than socket buffers hold: the rest must be dropped, not queued.
    for (let i = 0; i < 400; i++) call.perform("handle_message", { text: big, n: i }, true);
    expect(call.dropped).toBeGreaterThan(0);
    // A final result evicts a queued partial instead of being lost.
    const droppedBefore = call.dropped;
    expect(call.perform("handle_message", { final: true }, false)).toBe(true);
    expect(call.dropped).toBe(droppedBefore + 1);
    expect(performance.now() - started).toBeLessThan(5_000);

    cable.resume();
    await call.close(10_000);
    const isFinal = (frame: string) => (JSON.parse(JSON.parse(frame).data) as { final?: boolean }).final === true;
    await waitFor(() => cable.received.some(isFinal), { timeoutMs: 10_000 });
    expect(isFinal(cable.received.at(-1)!)).toBe(true);
    expect(cable.received.length).toBe(401 - call.dropped);
  });
});
