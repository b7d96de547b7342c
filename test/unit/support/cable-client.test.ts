import type { IncomingHttpHeaders } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";

import {
  createCableClient,
  connectCable,
  openRawSocket,
  SubscriptionRejectedError,
  UpgradeRejectedError,
} from "../../support/cable-client.js";
import { freePort } from "../../support/ports.js";

// A scripted Action Cable server, so the clients' own behaviour (headers,
// reasons, close codes) is tested without depending on anycable-go or RPC.
async function scriptedServer(
  onConnection: (socket: WebSocket, headers: IncomingHttpHeaders) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const port = await freePort();
  const wss = new WebSocketServer({
    host: "127.0.0.1",
    port,
    handleProtocols: (protocols) => (protocols.has("actioncable-v1-json") ? "actioncable-v1-json" : false),
    verifyClient: (info, done) => (info.req.headers["x-refuse"] ? done(false, 403, "Forbidden") : done(true)),
  });
  wss.on("connection", (socket, request) => onConnection(socket, request.headers));
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  return {
    url: `ws://127.0.0.1:${port}/cable`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}

describe("cable clients", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it("sends custom request headers and collects channel messages and performs", async () => {
    let seen: IncomingHttpHeaders = {};
    const received: unknown[] = [];
    const server = await scriptedServer((socket, headers) => {
      seen = headers;
      socket.send(JSON.stringify({ type: "welcome", sid: "sid-1" }));
      socket.on("message", (data) => {
        const command = JSON.parse(String(data)) as { command: string; identifier: string; data?: string };
        received.push(command);
        if (command.command === "subscribe") {
          socket.send(JSON.stringify({ identifier: command.identifier, type: "confirm_subscription" }));
          socket.send(JSON.stringify({ identifier: command.identifier, message: { hello: 1 } }));
        }
        if (command.command === "message") {
          socket.send(JSON.stringify({ identifier: command.identifier, message: { echo: JSON.parse(command.data ?? "{}") } }));
        }
      });
    });
    cleanups.push(server.close);

    const client = await connectCable(server.url, { headers: { cookie: "session=abc", "x-twilio-account": "AC123" } });
    cleanups.push(client.close);
    expect(seen.cookie).toBe("session=abc");
    expect(seen["x-twilio-account"]).toBe("AC123");
    expect(client.sessionId).toBe("sid-1");

    const sub = await client.subscribe("twilio", { sid: "CA1" });
    expect(sub.identifier).toBe('{"channel":"twilio","sid":"CA1"}');
    expect(await sub.waitForMessage()).toEqual({ hello: 1 });

    await sub.perform("handle_message", { result: { text: "hi" } });
    expect(await sub.waitForMessage((m: { echo?: unknown }) => m.echo !== undefined)).toEqual({
      echo: { result: { text: "hi" }, action: "handle_message" },
    });
    expect(received).toContainEqual({
      command: "message",
      identifier: '{"channel":"twilio","sid":"CA1"}',
      data: JSON.stringify({ result: { text: "hi" }, action: "handle_message" }),
    });
  });

  it("reports a rejected subscription", async () => {
    const server = await scriptedServer((socket) => {
      socket.send(JSON.stringify({ type: "welcome" }));
      socket.on("message", (data) => {
        const { identifier } = JSON.parse(String(data)) as { identifier: string };
        socket.send(JSON.stringify({ identifier, type: "reject_subscription" }));
      });
    });
    cleanups.push(server.close);
    const client = await connectCable(server.url);
    cleanups.push(client.close);
    await expect(client.subscribe("Secret")).rejects.toBeInstanceOf(SubscriptionRejectedError);
  });

  it("reports the disconnect reason and the socket close code of a refused connection", async () => {
    const server = await scriptedServer((socket) => {
      socket.send(JSON.stringify({ type: "disconnect", reason: "unauthorized", reconnect: false }));
      socket.close(1000, "Auth Failed");
    });
    cleanups.push(server.close);

    const client = createCableClient(server.url);
    cleanups.push(client.close);
    await expect(client.waitConnected()).rejects.toThrow(/not accepted: close \(unauthorized\)/);
    const end = await client.waitDisconnected();
    expect(end.kind).toBe("close");
    expect(end.reason).toBe("unauthorized");

    await expect(connectCable(server.url)).rejects.toThrow(/unauthorized/);

    const raw = await openRawSocket(server.url);
    expect(await raw.closed).toEqual({ code: 1000, reason: "Auth Failed" });
    expect(raw.messages()).toEqual([{ type: "disconnect", reason: "unauthorized", reconnect: false }]);
    expect(raw.frames[0]?.text).toBe('{"type":"disconnect","reason":"unauthorized","reconnect":false}');
  });

  it("raw client surfaces a refused upgrade with its HTTP status", async () => {
    const server = await scriptedServer(() => {});
    cleanups.push(server.close);
    const error = await openRawSocket(server.url, { headers: { "x-refuse": "1" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpgradeRejectedError);
    expect((error as UpgradeRejectedError).statusCode).toBe(403);
  });
});
