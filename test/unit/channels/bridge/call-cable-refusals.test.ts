// How the bridge's per-call cable connection ends when anycable-go says no, says nothing, or
// goes away: each way fails the call with a CallCableError that says which, never hangs, and
// only a loss after the subscription (not the bridge's own close) is reported through onLost.
import { afterEach, describe, expect, it } from "vitest";
import type { WebSocket } from "ws";
import { CallCable, CallCableError, type CallCableOptions } from "../../../../channels/bridge/call-cable.js";
import { captureLogger } from "../../../support/capture-logger.js";
import { waitFor, withTimeout } from "../../../support/wait.js";
import { performs, startCableServer, welcomeAndConfirm, type CableConnection, type CableServer } from "../support/action-cable-server.js";
import { callCableOptions } from "../support/call-cable-options.js";

const IDENTIFIER = JSON.stringify({ channel: "twilio", sid: `CA${"1".repeat(32)}` });
let server: CableServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A cable server whose every connection is handed to `script`, which plays anycable-go's part. */
async function startCable(script: (ws: WebSocket, received: string[]) => void) {
  server = await startCableServer((connection) => script(connection.ws, connection.received));
  const { url, connections } = server;
  return {
    url,
    connections,
    get received() {
      return connections.flatMap((connection) => connection.received);
    },
  };
}

/**
 * Resolves once no TCP socket of this process is open: the only outside sign that the bridge's
 * end of the connection has closed and its "close" event has run, which CallCable does not expose.
 */
/**
 * Resolves once the bridge has written nothing new during a ping round trip: a pong comes after
 * everything the bridge wrote before it, so an empty round means nothing more was on its way.
 */
async function untilQuiet(connection: CableConnection): Promise<void> {
  for (;;) {
    const before = connection.received.length;
    await new Promise<void>((resolve) => {
      connection.ws.once("pong", () => resolve());
      connection.ws.ping();
    });
    if (connection.received.length === before) return;
  }
}

async function untilSocketsClosed(): Promise<void> {
  await waitFor(() => !process.getActiveResourcesInfo().includes("TCPSocketWrap"), {
    timeoutMs: 5_000,
    description: "both ends of the cable connection to close",
  });
}

function options(url: string, overrides: Partial<CallCableOptions> = {}): CallCableOptions {
  return callCableOptions(url, IDENTIFIER, overrides);
}

describe("opening a call's cable connection", () => {
  it("fails when the application rejects the subscription, and closes the socket", async () => {
    let socket: WebSocket | undefined;
    const cable = await startCable((ws) => {
      socket = ws;
      ws.send(JSON.stringify({ type: "welcome" }));
      ws.on("message", () => ws.send(JSON.stringify({ identifier: IDENTIFIER, type: "reject_subscription" })));
    });
    const lost: CallCableError[] = [];
    const opening = CallCable.open(options(cable.url, { onLost: (e) => lost.push(e) }));
    await expect(opening).rejects.toThrow(CallCableError);
    await expect(opening).rejects.toThrow(/rejected the call's subscription/);
    await waitFor(() => socket?.readyState === socket?.CLOSED, { timeoutMs: 5_000, description: "the socket to close" });
    // Never subscribed: nothing was lost that the caller does not already know from open().
    expect(lost).toEqual([]);
  });

  it("gives up on a server that never welcomes, naming the stage and the bound", async () => {
    const cable = await startCable(() => undefined);
    await expect(withTimeout(CallCable.open(options(cable.url, { handshakeTimeoutMs: 200 })), 5_000, "open()")).rejects.toThrow(
      "no welcome from anycable-go within 200 ms",
    );
  });

  it("gives up on a server that welcomes but never confirms", async () => {
    const cable = await startCable((ws) => ws.send(JSON.stringify({ type: "welcome" })));
    await expect(CallCable.open(options(cable.url, { handshakeTimeoutMs: 300 }))).rejects.toThrow(
      "no subscription from anycable-go within 300 ms",
    );
    expect(cable.received.map((f) => JSON.parse(f) as unknown)).toEqual([{ command: "subscribe", identifier: IDENTIFIER }]);
  });

  it("ignores pings, frames for other identifiers and frames that are not JSON while it waits", async () => {
    const logs = captureLogger();
    const cable = await startCable((ws) => {
      ws.send("not json");
      ws.send(JSON.stringify({ type: "ping", message: 1 }));
      ws.send(JSON.stringify({ type: "welcome" }));
      ws.on("message", () => {
        ws.send(JSON.stringify({ identifier: "{}", type: "reject_subscription" }));
        ws.send("null");
        ws.send(JSON.stringify({ identifier: IDENTIFIER, type: "confirm_subscription" }));
      });
    });
    const call = await CallCable.open(options(cable.url, { logger: logs.logger }));
    expect(call.open).toBe(true);
    expect(logs.at("warn").map((l) => l.msg)).toEqual(["anycable-go sent a frame that is not JSON; ignored"]);
    await call.close(1_000);
  });

  it("fails when anycable-go disconnects the connection during the handshake (Connect refused)", async () => {
    const cable = await startCable((ws) => {
      ws.send(JSON.stringify({ type: "disconnect", reason: "unauthorized", reconnect: false }));
      ws.close();
    });
    const lost: CallCableError[] = [];
    await expect(CallCable.open(options(cable.url, { onLost: (e) => lost.push(e) }))).rejects.toThrow(
      "anycable-go disconnected the call: unauthorized",
    );
    // open() refused the call; onLost is for a call that was subscribed.
    expect(lost).toEqual([]);
  });

  it("fails when the upgrade itself is refused", async () => {
    server = await startCableServer(() => undefined, { verifyClient: () => false });
    await expect(CallCable.open(options(server.url))).rejects.toThrow(/^cable connection failed: .*401/);
  });
});

describe("a subscribed call's cable connection", () => {
  it("reports a disconnect from anycable-go once through onLost, then refuses to perform", async () => {
    let socket: WebSocket | undefined;
    const cable = await startCable((ws) => {
      socket = ws;
      welcomeAndConfirm(ws);
    });
    const lost: CallCableError[] = [];
    const call = await CallCable.open(options(cable.url, { onLost: (e) => lost.push(e) }));
    socket!.send(JSON.stringify({ type: "disconnect", reconnect: false }));
    await waitFor(() => lost.length > 0, { timeoutMs: 5_000, description: "onLost" });
    expect(lost[0]?.message).toBe("anycable-go disconnected the call: no reason given");
    expect(call.open).toBe(false);
    expect(call.perform("handle_message", { n: 1 }, false)).toBe(false);
    // The socket closing afterwards is the same loss, not a second one.
    socket!.close(1000, "bye");
    await untilSocketsClosed();
    expect(lost).toHaveLength(1);
  });

  it("writes nothing more once anycable-go has disconnected the call", async () => {
    const cable = await startCable((ws) => welcomeAndConfirm(ws));
    const lost: CallCableError[] = [];
    const call = await CallCable.open(options(cable.url, { maxQueued: 64, onLost: (e) => lost.push(e) }));
    const connection = cable.connections[0]!;
    connection.stallReading();
    const big = "x".repeat(256 * 1024);
    // 32 frames in flight that the stalled server does not read, 64 waiting in the queue.
    for (let n = 0; n < 32 + 64; n++) call.perform("handle_message", { n, text: big }, false);
    connection.ws.send(JSON.stringify({ type: "disconnect", reason: "server_restart", reconnect: false }));
    await waitFor(() => lost.length === 1, { timeoutMs: 5_000, description: "onLost" });
    // What was handed to the socket before the disconnect arrives; the queue is not sent after it.
    connection.resumeReading();
    await untilQuiet(connection);
    const numbers = performs(connection.received).map((data) => data.n);
    expect(numbers.length).toBeLessThan(32 + 64);
    expect(numbers).toEqual([...Array(numbers.length).keys()]);
  });

  it("reports a closed socket with anycable-go's close code and reason", async () => {
    let socket: WebSocket | undefined;
    const cable = await startCable((ws) => {
      socket = ws;
      welcomeAndConfirm(ws);
    });
    const lost: CallCableError[] = [];
    await CallCable.open(options(cable.url, { onLost: (e) => lost.push(e) }));
    socket!.close(1012, "service restart");
    await waitFor(() => lost.length > 0, { timeoutMs: 5_000, description: "onLost" });
    expect(lost.map((e) => e.message)).toEqual(["anycable-go closed the cable connection (1012 service restart)"]);
  });

  it("reports a socket closed without a reason with the code alone", async () => {
    let socket: WebSocket | undefined;
    const cable = await startCable((ws) => {
      socket = ws;
      welcomeAndConfirm(ws);
    });
    const lost: CallCableError[] = [];
    await CallCable.open(options(cable.url, { onLost: (e) => lost.push(e) }));
    socket!.close(4001);
    await waitFor(() => lost.length > 0, { timeoutMs: 5_000, description: "onLost" });
    expect(lost.map((e) => e.message)).toEqual(["anycable-go closed the cable connection (4001)"]);
  });

  it("does not report its own close as a loss, and closing twice is harmless", async () => {
    const cable = await startCable((ws) => welcomeAndConfirm(ws));
    const lost: CallCableError[] = [];
    const call = await CallCable.open(options(cable.url, { onLost: (e) => lost.push(e) }));
    await call.close(1_000);
    await call.close(1_000);
    expect(call.open).toBe(false);
    expect(lost).toEqual([]);
  });

  it("with a full queue of results that must not be lost, refuses the next one rather than evict one", async () => {
    const logs = captureLogger();
    const cable = await startCable((ws) => welcomeAndConfirm(ws));
    const call = await CallCable.open(options(cable.url, { maxQueued: 2, logger: logs.logger }));
    cable.connections[0]!.stallReading();
    const big = "x".repeat(256 * 1024);
    let accepted = 0;
    // In one turn of the event loop no write completes: 32 frames go to the socket, 2 wait in the
    // queue, and each of the other 166 final results is refused (none of the queued may be evicted).
    for (let i = 0; i < 200; i++) if (call.perform("handle_message", { text: big, n: i }, false)) accepted++;
    expect(accepted).toBe(32 + 2);
    expect(call.dropped).toBe(200 - accepted);
    // One warning for the first drop and one per hundred, not one per frame.
    expect(logs.at("warn").length).toBe(1 + Math.floor(call.dropped / 100));
    expect(logs.at("warn")[0]).toMatchObject({
      msg: "anycable-go is not keeping up with this call; dropping",
      dropped: 1,
      what: "handle_message",
    });
  });

  it("closes anyway, with a warning, when the queue does not drain in time", async () => {
    const logs = captureLogger();
    const cable = await startCable((ws) => welcomeAndConfirm(ws));
    const call = await CallCable.open(options(cable.url, { maxQueued: 64, logger: logs.logger }));
    cable.connections[0]!.stallReading();
    const big = "x".repeat(256 * 1024);
    for (let i = 0; i < 64; i++) call.perform("handle_message", { text: big, n: i }, false);
    await withTimeout(call.close(300), 5_000, "close() of a stalled call");
    expect(call.open).toBe(false);
    const warning = logs.at("warn").find((l) => l.msg === "cable did not take the last results in time; closing anyway");
    expect(warning?.unsent).toBeGreaterThan(0);
  });
});
