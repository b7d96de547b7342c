// The bridge's per-call Action Cable connection against a local server that reads, or stops
// reading: what waits for a slow anycable-go is bounded (32 frames handed to the socket, then
// `maxQueued`), partial results give way first, nothing blocks, and close() flushes what it can.
import { afterEach, describe, expect, it } from "vitest";
import { CallCable, type CallCableOptions } from "../../../../channels/bridge/call-cable.js";
import { captureLogger } from "../../../support/capture-logger.js";
import { waitFor, withTimeout } from "../../../support/wait.js";
import { performs, startCableServer, welcomeAndConfirm, type CableConnection, type CableServer } from "../support/action-cable-server.js";
import { callCableOptions } from "../support/call-cable-options.js";

const IDENTIFIER = JSON.stringify({ channel: "twilio", sid: `CA${"0".repeat(32)}` });
/** How many frames CallCable hands to the socket before it queues (its MAX_IN_FLIGHT). */
const IN_FLIGHT = 32;
const CLOSE_WARNING = "cable did not take the last results in time; closing anyway";
let server: CableServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A cable server that welcomes and confirms, and then, with `stall`, stops reading. */
async function startCable(options: { stall: boolean }) {
  server = await startCableServer((connection) => {
    welcomeAndConfirm(connection.ws);
    if (options.stall)
      connection.ws.on("message", (data) => {
        if ((JSON.parse(data.toString()) as { command: string }).command === "subscribe") connection.stallReading();
      });
  });
  return server;
}

function open(url: string, overrides: Partial<CallCableOptions> = {}) {
  return CallCable.open(callCableOptions(url, IDENTIFIER, overrides));
}

const numbers = (connection: CableConnection) => performs(connection.received).map((data) => data.n);

describe("the bridge's cable connection for one call", () => {
  it("sends performs in order and flushes them before closing", async () => {
    const cable = await startCable({ stall: false });
    const call = await open(cable.url);
    // 32 frames in flight on the socket plus 8 queued, all at once.
    for (let i = 0; i < 40; i++) expect(call.perform("handle_message", { n: i }, false)).toBe(true);
    await call.close(5_000);
    await waitFor(() => cable.connections[0]!.received.length === 41, { timeoutMs: 5_000 });
    expect(numbers(cable.connections[0]!)).toEqual([...Array(40).keys()]);
    expect(call.dropped).toBe(0);
  });

  it("holds exactly 32 frames in flight plus maxQueued: then refuses a partial, and a final evicts the oldest queued partial", async () => {
    const logs = captureLogger();
    const cable = await startCable({ stall: false });
    const call = await open(cable.url, { maxQueued: 4, logger: logs.logger });
    // All in one turn of the event loop: no write can complete in between, so the bounds are exact.
    for (let n = 0; n < IN_FLIGHT + 4; n++) expect(call.perform("handle_message", { n }, true)).toBe(true);
    expect(call.dropped).toBe(0);
    // The queue is full: a final result takes the place of the oldest queued partial (n = 32)...
    expect(call.perform("handle_message", { n: "final" }, false)).toBe(true);
    expect(call.dropped).toBe(1);
    expect(logs.at("warn")).toMatchObject([
      { msg: "anycable-go is not keeping up with this call; dropping", dropped: 1, what: "an older partial result" },
    ]);
    // ...and a further partial is refused rather than evicting another one.
    expect(call.perform("handle_message", { n: "late" }, true)).toBe(false);
    expect(call.dropped).toBe(2);

    await call.close(5_000);
    await withTimeout(cable.connections[0]!.closed, 5_000, "the close");
    expect(numbers(cable.connections[0]!)).toEqual([...Array(IN_FLIGHT).keys(), 33, 34, 35, "final"]);
    // The queue drained as the writes completed: close() did not sit out its bound and warn.
    expect(logs.at("warn")).toHaveLength(1);
  });

  it("bounds what waits for a server that stopped reading, dropping partials first, without blocking", async () => {
    const cable = await startCable({ stall: true });
    const call = await open(cable.url, { maxQueued: 4 });
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

    cable.connections[0]!.resumeReading();
    await call.close(10_000);
    const received = () => performs(cable.connections[0]!.received);
    await waitFor(() => received().some((data) => data.final === true), { timeoutMs: 10_000 });
    expect(received().at(-1)?.final).toBe(true);
    expect(received().length).toBe(401 - call.dropped);
  });
});

describe("closing a call's cable connection", () => {
  it("closes at once, normally and without a warning, when nothing waits to be written", async () => {
    const logs = captureLogger();
    const cable = await startCable({ stall: false });
    const call = await open(cable.url, { logger: logs.logger });
    // A bound far beyond the wait allowed: only a close that neither drains nor waits for it passes.
    await withTimeout(call.close(60_000), 5_000, "close() of an idle call");
    expect(await cable.connections[0]!.closed).toEqual({ code: 1000, reason: "stream ended" });
    expect(logs.at("warn")).toEqual([]);
  });

  it("waits for frames handed to the socket but not written yet, and counts them as unsent", async () => {
    const logs = captureLogger();
    const cable = await startCable({ stall: true });
    const call = await open(cable.url, { logger: logs.logger });
    // A small frame the socket writes at once (its write completes while close() waits, which
    // must not count as drained), then 31 frames of 1 MiB that a stalled reader never takes.
    // The queue stays empty: everything waits in flight.
    call.perform("handle_message", { n: 0 }, false);
    const big = "x".repeat(1024 * 1024);
    for (let n = 1; n < IN_FLIGHT; n++) call.perform("handle_message", { n, text: big }, false);
    await call.close(300);
    const warning = logs.at("warn").find((line) => line.msg === CLOSE_WARNING);
    expect(warning?.unsent).toBeGreaterThan(0);
    expect(warning?.unsent).toBeLessThan(IN_FLIGHT);
  });

  it("does not wait or warn a second time when close() is called while the first waits for anycable-go's answer", async () => {
    const logs = captureLogger();
    const cable = await startCable({ stall: true });
    const call = await open(cable.url, { maxQueued: 4, logger: logs.logger });
    const big = "x".repeat(1024 * 1024);
    for (let n = 0; n < IN_FLIGHT + 4; n++) call.perform("handle_message", { n, text: big }, false);
    // The first close gives up on the queue after 2 s, then waits up to 2 s for the close handshake
    // a stalled server never completes; the second close comes in that second wait.
    const first = call.close(2_000);
    await waitFor(() => logs.at("warn").length === 1, { timeoutMs: 10_000, description: "the first close's warning" });
    await call.close(200);
    await first;
    expect(logs.at("warn").map((line) => line.msg)).toEqual([CLOSE_WARNING]);
  });

  it("neither waits nor warns once anycable-go has disconnected the call", async () => {
    const logs = captureLogger();
    const lost: Error[] = [];
    const cable = await startCable({ stall: true });
    // 64 queued behind the 32 in flight that the stalled server does not read: frames are still
    // waiting when anycable-go's disconnect comes, and they will never be sent.
    const call = await open(cable.url, { maxQueued: 64, logger: logs.logger, onLost: (e) => lost.push(e) });
    const big = "x".repeat(256 * 1024);
    for (let n = 0; n < IN_FLIGHT + 64; n++) call.perform("handle_message", { n, text: big }, false);
    cable.connections[0]!.ws.send(JSON.stringify({ type: "disconnect", reason: "remote", reconnect: false }));
    await waitFor(() => lost.length === 1, { timeoutMs: 5_000, description: "onLost" });
    await call.close(2_000);
    expect(logs.at("warn")).toEqual([]);
  });

  it("cuts the connection when anycable-go never answers the close", async () => {
    const cable = await startCable({ stall: false });
    const call = await open(cable.url);
    // This server reads the bridge's close frame but never answers it.
    cable.connections[0]!.ws.close = () => undefined;
    await call.close(200);
    // Left to ws, the socket would linger for its own 30 s close timeout.
    await withTimeout(cable.connections[0]!.closed, 5_000, "the server side to see the socket closed");
  });
});
