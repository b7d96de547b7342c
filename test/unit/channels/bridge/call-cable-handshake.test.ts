// What the bridge's per-call cable connection presents to anycable-go, and which answers it takes
// as the welcome and the confirmation: only the right frame, of the right kind, at the right stage,
// so a confused or hostile server cannot make the bridge believe it is subscribed when it is not.
import { afterEach, describe, expect, it } from "vitest";
import { CallCable, CallCableError, type CallCableOptions } from "../../../../channels/bridge/call-cable.js";
import { waitFor } from "../../../support/wait.js";
import { startCableServer, welcomeAndConfirm, type CableConnection, type CableServer } from "../support/action-cable-server.js";
import { callCableOptions } from "../support/call-cable-options.js";

const IDENTIFIER = JSON.stringify({ channel: "twilio", sid: `CA${"2".repeat(32)}` });
let server: CableServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(script: (connection: CableConnection) => void, options: Parameters<typeof startCableServer>[1] = {}) {
  server = await startCableServer(script, options);
  return server;
}

function options(url: string, overrides: Partial<CallCableOptions> = {}): CallCableOptions {
  return callCableOptions(url, IDENTIFIER, overrides);
}

describe("what a call's cable connection presents", () => {
  it("connects with the cable's own origin, the caller's headers and no compression offered", async () => {
    // The server would accept permessage-deflate if offered: the bridge must not offer it (a
    // zlib context per call costs memory and CPU for frames of a few hundred bytes).
    const cable = await serve(({ ws }) => welcomeAndConfirm(ws), { perMessageDeflate: true });
    const call = await CallCable.open(options(cable.url, { headers: { "x-twilio-account": "AC123", "x-bridge-credential": "c.r.e.d" } }));
    const [connection] = cable.connections;
    const { port } = new URL(cable.url);
    expect(connection!.request.headers.origin).toBe(`http://127.0.0.1:${port}`);
    expect(connection!.request.headers["x-twilio-account"]).toBe("AC123");
    expect(connection!.request.headers["x-bridge-credential"]).toBe("c.r.e.d");
    expect(connection!.request.headers["sec-websocket-extensions"]).toBeUndefined();
    expect(connection!.ws.extensions).toBe("");
    await call.close(1_000);
  });

  it("subscribes with its identifier verbatim and sends each perform as a message for it", async () => {
    const cable = await serve(({ ws }) => welcomeAndConfirm(ws));
    const call = await CallCable.open(options(cable.url));
    expect(call.perform("handle_message", { text: "hello", final: true }, false)).toBe(true);
    await call.close(1_000);
    expect(cable.connections[0]!.received.map((frame) => JSON.parse(frame) as unknown)).toEqual([
      { command: "subscribe", identifier: IDENTIFIER },
      { command: "message", identifier: IDENTIFIER, data: JSON.stringify({ action: "handle_message", text: "hello", final: true }) },
    ]);
  });
});

describe("which answers open a call's cable connection", () => {
  it("takes a welcome only as a text frame", async () => {
    const cable = await serve(({ ws }) => ws.send(Buffer.from(JSON.stringify({ type: "welcome" })), { binary: true }));
    await expect(CallCable.open(options(cable.url, { handshakeTimeoutMs: 300 }))).rejects.toThrow(
      "no welcome from anycable-go within 300 ms",
    );
  });

  it("takes neither a confirmation nor a refusal that comes before the welcome", async () => {
    const cable = await serve(({ ws }) => {
      ws.send(JSON.stringify({ identifier: IDENTIFIER, type: "reject_subscription" }));
      ws.send(JSON.stringify({ identifier: IDENTIFIER, type: "confirm_subscription" }));
    });
    await expect(CallCable.open(options(cable.url, { handshakeTimeoutMs: 300 }))).rejects.toThrow(
      "no welcome from anycable-go within 300 ms",
    );
    // Still waiting for the welcome: it never subscribed.
    expect(cable.connections[0]!.received).toEqual([]);
  });

  it("does not take a second welcome for the confirmation", async () => {
    const cable = await serve(({ ws }) => {
      ws.send(JSON.stringify({ type: "welcome" }));
      ws.on("message", () => ws.send(JSON.stringify({ type: "welcome" })));
    });
    await expect(CallCable.open(options(cable.url, { handshakeTimeoutMs: 300 }))).rejects.toThrow(
      "no subscription from anycable-go within 300 ms",
    );
  });

  it("takes a message the channel transmits before the confirmation as neither confirmation nor refusal", async () => {
    const cable = await serve(({ ws }) => {
      ws.send(JSON.stringify({ type: "welcome" }));
      ws.on("message", () => ws.send(JSON.stringify({ identifier: IDENTIFIER, message: { type: "hello" } })));
    });
    let settled = false;
    const opening = CallCable.open(options(cable.url)).finally(() => (settled = true));
    await waitFor(() => cable.connections[0]?.received.length === 1, { timeoutMs: 5_000, description: "the subscribe" });
    await pingPong(cable.connections[0]!);
    expect(settled).toBe(false);
    cable.connections[0]!.ws.send(JSON.stringify({ identifier: IDENTIFIER, type: "confirm_subscription" }));
    const call = await opening;
    expect(call.open).toBe(true);
    await call.close(1_000);
  });

  it("names its errors CallCableError", async () => {
    const cable = await serve(() => undefined);
    const error = await CallCable.open(options(cable.url, { handshakeTimeoutMs: 100 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallCableError);
    expect((error as Error).name).toBe("CallCableError");
  });
});

/**
 * Resolves once the bridge answered a ping: it handles frames in order, so by then it has handled
 * everything the server sent before the ping.
 */
function pingPong(connection: CableConnection): Promise<void> {
  return new Promise((resolve) => {
    connection.ws.once("pong", () => resolve());
    connection.ws.ping();
  });
}
