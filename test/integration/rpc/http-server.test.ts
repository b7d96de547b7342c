// The HTTP RPC surface as anycable-go and anyone else on the network see it: authentication,
// hostile requests, health, concurrency and draining; and a real anycable-go with a wrong secret.
import { Agent, createServer, request, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startRpcServer, type RunningRpcServer } from "../../../src/rpc/start-server.js";
import { Status } from "../../../src/rpc/messages.js";
import type { RpcHandler } from "../../../src/rpc/handler.js";
import { createHttpRpcListener } from "../../../src/rpc/http/listener.js";
import app, { journal } from "../../fixtures/chat-app.js";
import { RecordingBroadcaster } from "../../fixtures/recording-broadcaster.js";
import { captureLogger, openRawSocket, startAnycableGo, type CapturedLogs } from "../../support/index.js";

const SECRET = "http-rpc-test-secret";
const LIMIT = 256 * 1024;
const ROOM = '{"channel":"chat","room":"lobby"}';

let running: RunningRpcServer;
let logs: CapturedLogs;
let agent: Agent;

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json(): Record<string, unknown>;
}

interface PostOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as it is; default a JSON-encoded `json`. */
  body?: string | Buffer;
  json?: unknown;
  /** Leave out Content-Length and send the body chunked. */
  chunked?: boolean;
}

const AUTH = { authorization: `Bearer ${SECRET}`, "content-type": "application/json", "x-anycable-meta-protov": "v1" };

function send(path: string, options: PostOptions = {}): Promise<Reply> {
  const body = options.body ?? JSON.stringify(options.json ?? {});
  const headers: Record<string, string> = { ...AUTH, ...options.headers };
  if (!options.chunked) headers["content-length"] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: running.port, path, method: options.method ?? "POST", headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> });
      });
    });
    // A server that answers before reading a big body may close while we still write it.
    req.on("error", reject);
    req.end(body);
  });
}

const command = (data: object, sid = "sid-http") =>
  send("/_anycable/command", {
    headers: { "x-anycable-meta-sid": sid },
    json: {
      command: "message",
      identifier: ROOM,
      connection_identifiers: '{"user":"ann"}',
      data: JSON.stringify(data),
      env: { url: "http://x/cable", headers: {} },
    },
  });

beforeEach(async () => {
  journal.length = 0;
  logs = captureLogger();
  agent = new Agent({ keepAlive: true, maxSockets: 64 });
  running = await startRpcServer({
    app,
    broadcaster: new RecordingBroadcaster(),
    logger: logs.logger,
    config: { host: "127.0.0.1:0", maxMessageSize: LIMIT, shutdownTimeoutSeconds: 5 },
    env: { ANYCABLE_RPC_HOST: "http://127.0.0.1:0/_anycable", ANYCABLE_HTTP_RPC_SECRET: SECRET },
  });
});

afterEach(async () => {
  agent.destroy();
  await running.stop();
});

describe("the HTTP RPC server", () => {
  it("answers the three calls with the messages as JSON, numeric statuses and snake_case names", async () => {
    const connect = await send("/_anycable/connect", {
      headers: { "x-anycable-meta-sid": "sid-42" },
      json: { env: { url: "http://x/cable", headers: { cookie: "user=ann" } } },
    });
    expect(connect.status).toBe(200);
    expect(connect.headers["content-type"]).toBe("application/json");
    expect(connect.json()).toEqual({
      status: Status.SUCCESS,
      identifiers: '{"user":"ann"}',
      transmissions: ['{"type":"welcome","sid":"sid-42"}'],
      error_msg: "",
      env: { cstate: { connected_at: "t0" }, istate: {} },
    });
    const performed = await command({ action: "speak", message: "hi" });
    expect(performed.json()).toMatchObject({
      status: Status.SUCCESS,
      transmissions: [JSON.stringify({ identifier: ROOM, message: { from: "ann", message: "hi" } })],
    });
    const gone = await send("/_anycable/disconnect", { json: { identifiers: '{"user":"ann"}', subscriptions: [ROOM] } });
    expect(gone.json()).toEqual({ status: Status.SUCCESS, error_msg: "" });
    expect(journal).toEqual(["connect:ann", "unsubscribed:ann:lobby:-", "disconnect:ann"]);
  });

  it("answers with the same statuses and errors as gRPC: ERROR with a reason, FAILURE on refusal", async () => {
    expect((await command({ action: "explode" })).json()).toMatchObject({
      status: Status.ERROR,
      error_msg: "RangeError in ChatChannel#explode: action exploded",
    });
    const unknown = await send("/_anycable/command", { json: { command: "bogus" } });
    expect(unknown.status).toBe(200);
    expect(unknown.json()).toMatchObject({ status: Status.ERROR, error_msg: expect.stringMatching(/Unknown command "bogus"/) });
    const intruder = await send("/_anycable/connect", { json: { env: { headers: { cookie: "user=intruder" } } } });
    expect(intruder.json()).toMatchObject({
      status: Status.FAILURE,
      transmissions: ['{"type":"disconnect","reason":"unauthorized","reconnect":false}'],
    });
    const oldClient = await send("/_anycable/connect", { headers: { "x-anycable-meta-protov": "v0" }, json: { env: {} } });
    expect(oldClient.json()).toMatchObject({ status: Status.ERROR, error_msg: expect.stringMatching(/Incompatible AnyCable RPC client/) });
  });

  it.each([
    ["no Authorization", {}],
    ["a wrong secret", { authorization: "Bearer not-the-secret" }],
    ["the secret with a suffix", { authorization: `Bearer ${SECRET}x` }],
    ["the secret alone", { authorization: SECRET }],
    ["another scheme", { authorization: `Basic ${Buffer.from(`x:${SECRET}`).toString("base64")}` }],
  ])("refuses %s with 401 before running anything", async (_label, headers) => {
    const withoutAuth = { ...AUTH, ...headers } as Record<string, string>;
    if (!("authorization" in headers)) delete withoutAuth.authorization;
    const res = await new Promise<Reply>((resolve, reject) => {
      const body = JSON.stringify({ env: { headers: { cookie: "user=ann" } } });
      const req = request(
        {
          host: "127.0.0.1",
          port: running.port,
          path: "/_anycable/connect",
          method: "POST",
          headers: { ...withoutAuth, "content-length": String(body.length) },
        },
        (r) => {
          const chunks: Buffer[] = [];
          r.on("data", (c: Buffer) => chunks.push(c));
          r.on("end", () =>
            resolve({ status: r.statusCode ?? 0, headers: r.headers, text: Buffer.concat(chunks).toString(), json: () => ({}) }),
          );
        },
      );
      req.on("error", reject);
      req.end(body);
    });
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toMatch(/^Bearer/);
    expect(res.text).not.toContain(SECRET);
    expect(journal).toEqual([]);
    expect(logs.at("warn").some((l) => /missing or wrong bearer secret/.test(l.msg))).toBe(true);
    expect(JSON.stringify(logs.lines)).not.toContain(SECRET);
  });

  it("refuses other methods, paths and content types", async () => {
    const get = await send("/_anycable/command", { method: "GET", body: "" });
    expect([get.status, get.headers.allow]).toEqual([405, "POST"]);
    expect((await send("/_anycable/perform")).status).toBe(404);
    expect((await send("/elsewhere/connect")).status).toBe(404);
    expect((await send("/_anycable/connect/")).status).toBe(404);
    const text = await send("/_anycable/connect", { headers: { "content-type": "text/plain" }, body: "{}" });
    expect([text.status, text.text]).toEqual([415, "Expected Content-Type: application/json"]);
    expect(
      (await send("/_anycable/connect", { headers: { "content-type": "application/json; charset=utf-8" }, json: { env: {} } })).status,
    ).toBe(200);
  });

  it("answers bad JSON with 400, a wrong shape with 422 and too many entries with 413, saying what is wrong", async () => {
    const flood = await send("/_anycable/connect", {
      json: { env: { cstate: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, ""])) } },
    });
    expect([flood.status, flood.text]).toEqual([413, "Connect request carries 5000 entries, over the limit of 4096"]);
    const bad = await send("/_anycable/command", { body: '{"command":' });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/^Invalid JSON in Command request: /);
    const shape = await send("/_anycable/disconnect", { json: { subscriptions: "all" } });
    expect(shape.status).toBe(422);
    expect(shape.text).toMatch(/^Invalid Disconnect request: subscriptions: /);
    expect((await command({ action: "speak", message: "still serving" })).json().status).toBe(Status.SUCCESS);
  });

  it("refuses a body over the limit, declared or streamed, without reading it all, and keeps serving", async () => {
    // Writes the body a chunk at a time until the server answers, as a client that never stops would.
    const oversized = (headers: Record<string, string>) =>
      new Promise<{ status: number; text: string; sent: number }>((resolve, reject) => {
        let sent = 0;
        let answered = false;
        const req = request(
          { host: "127.0.0.1", port: running.port, path: "/_anycable/command", method: "POST", headers: { ...AUTH, ...headers } },
          (res) => {
            answered = true;
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString(), sent }));
          },
        );
        req.on("error", (error) => (answered ? undefined : reject(error)));
        const chunk = Buffer.alloc(16 * 1024, "x");
        const pump = (): void => {
          if (answered || sent > 64 * LIMIT) return;
          sent += chunk.length;
          req.write(chunk, () => setImmediate(pump));
        };
        pump();
      });
    const declared = await oversized({ "content-length": String(LIMIT + 1) });
    expect([declared.status, declared.text]).toEqual([413, `Request body over ${LIMIT} bytes`]);
    const streamed = await oversized({ "transfer-encoding": "chunked" });
    expect([streamed.status, streamed.text]).toEqual([413, `Request body over ${LIMIT} bytes`]);
    expect(streamed.sent).toBeLessThan(16 * LIMIT);
    const justUnder = await command({ action: "speak", message: "y".repeat(900) });
    expect(justUnder.json().status).toBe(Status.SUCCESS);
  });

  it("survives a client that goes away mid-body", async () => {
    await new Promise<void>((resolve) => {
      const req = request({
        host: "127.0.0.1",
        port: running.port,
        path: "/_anycable/command",
        method: "POST",
        headers: { ...AUTH, "content-length": "10000" },
      });
      req.on("error", () => resolve());
      req.write('{"command":"message","data":"');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 100);
    });
    expect((await command({ action: "speak", message: "after" })).json().status).toBe(Status.SUCCESS);
    expect(running.server.inFlight).toBe(0);
  });

  it("answers far more than anycable-go's 28 calls in flight at once", async () => {
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => command({ action: "slow", ms: 50 }, `s${i}`)));
    expect(results.every((r) => r.status === 200 && r.json().status === Status.SUCCESS)).toBe(true);
  });

  it("drains on shutdown: health turns NOT_SERVING, the call in flight finishes, new connections are refused", async () => {
    const health = () => send("/health", { method: "GET", body: "" });
    expect(await health().then((r) => [r.status, r.json()])).toEqual([200, { status: "SERVING" }]);
    const inFlight = command({ action: "slow", ms: 400 });
    await new Promise((r) => setTimeout(r, 100));
    const stopped = running.stop();
    await new Promise((r) => setTimeout(r, 50));
    const fresh = new Agent({ keepAlive: false });
    const refused = await new Promise<string>((resolve) => {
      const req = request({ host: "127.0.0.1", port: running.port, path: "/health", agent: fresh }, () => resolve("answered"));
      req.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
      req.end();
    });
    expect(refused).toBe("ECONNREFUSED");
    const finished = await inFlight;
    expect(finished.json()).toMatchObject({
      status: Status.SUCCESS,
      transmissions: [JSON.stringify({ identifier: ROOM, message: { slept: 400 } })],
    });
    expect(finished.headers.connection).toBe("close");
    await stopped;
  });
});

describe("a real anycable-go with the wrong HTTP RPC secret", () => {
  it("gets 401s, so no client is welcomed, and both sides log why", async () => {
    const anycable = await startAnycableGo({
      rpcHost: `http://127.0.0.1:${running.port}/_anycable`,
      args: ["--http_rpc_secret=guessed"],
    });
    try {
      const socket = await openRawSocket(anycable.url, { headers: { cookie: "user=ann" } });
      const closed = await socket.closed;
      expect(socket.messages().some((m) => (m as { type?: string }).type === "welcome")).toBe(false);
      expect(closed.code).not.toBe(1000);
      expect(anycable.logs()).toMatch(/Unauthenticated|401/);
      expect(journal).toEqual([]);
      expect(logs.at("warn").some((l) => /missing or wrong bearer secret/.test(l.msg))).toBe(true);
    } finally {
      await anycable.stop();
    }
  });
});

describe("a bug in the RPC handler itself", () => {
  it("answers 500 with the reason, logs it, and the listener keeps serving", async () => {
    const captured = captureLogger();
    let calls = 0;
    const buggy = {
      connect: () => (++calls === 1 ? Promise.reject(new Error("handler bug")) : Promise.resolve({ status: Status.SUCCESS })),
    } as unknown as RpcHandler;
    const server = createServer(createHttpRpcListener({ handler: buggy, logger: captured.logger, secret: undefined, maxBodySize: 1024 }));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/connect`;
    const post = () => fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    try {
      const failed = await post();
      expect([failed.status, await failed.text()]).toEqual([500, "Connect failed: handler bug"]);
      expect(captured.at("error").map((l) => l.msg)).toEqual(["HTTP RPC handler failed unexpectedly"]);
      expect(await post().then((r) => r.json())).toEqual({ status: Status.SUCCESS });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
