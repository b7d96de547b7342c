// createHttpRpcListener in a plain node:http server on loopback: routing, the refusals before a
// body is read (method, secret, content type, declared size), body limits, decoding errors, the
// metadata headers, its own failures, and the start/end events draining counts on.
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it, onTestFinished } from "vitest";
import { RpcHandler } from "../../../../src/rpc/handler.js";
import { createHttpRpcListener, type HttpRpcListenerOptions } from "../../../../src/rpc/http/listener.js";
import { Status } from "../../../../src/rpc/messages.js";
import app from "../../../fixtures/chat-app.js";
import { metadataRecordingHandler } from "../support/metadata-recording-handler.js";
import { RecordingBroadcaster } from "../../../fixtures/recording-broadcaster.js";
import { captureLogger, type CapturedLogs } from "../../../support/capture-logger.js";

const SECRET = "listener-secret";
const JSON_TYPE = { "content-type": "application/json" };
const AUTH = { authorization: `Bearer ${SECRET}`, ...JSON_TYPE, "x-anycable-meta-protov": "v1" };
const CONNECT = { env: { url: "http://x/cable", headers: { cookie: "user=ann" } } };

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function listen(options: Partial<HttpRpcListenerOptions> = {}) {
  const logs = captureLogger();
  const events: string[] = [];
  const handler = options.handler ?? new RpcHandler({ app, broadcaster: new RecordingBroadcaster(), logger: logs.logger });
  const rpc = createHttpRpcListener({
    handler,
    logger: logs.logger,
    secret: SECRET,
    maxBodySize: 1024,
    onRequest: (event) => events.push(event),
    ...options,
  });
  server = createServer(rpc);
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { port, logs, events };
}

interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Leave out Content-Length and send the body in chunks. */
  chunked?: boolean;
}

function send(port: number, path: string, options: SendOptions = {}): Promise<Reply> {
  const body = options.body ?? JSON.stringify(CONNECT);
  const headers: Record<string, string> = { ...AUTH, ...options.headers };
  if (!options.chunked) headers["content-length"] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: options.method ?? "POST", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    if (options.chunked) {
      // Several writes, so the body arrives in more than one chunk.
      for (let at = 0; at < body.length; at += 256) req.write(body.slice(at, at + 256));
      req.end();
    } else {
      req.end(body);
    }
  });
}

const json = (reply: Reply) => JSON.parse(reply.text) as Record<string, unknown>;

describe("routing", () => {
  it("serves the three calls under any prefix when no mount path is set, ignoring a query string", async () => {
    const { port } = await listen();
    for (const path of ["/_anycable/connect", "/connect", "/deep/er/connect?debug=1"]) {
      const reply = await send(port, path);
      expect(reply.status, path).toBe(200);
      expect(reply.headers["content-type"]).toBe("application/json");
      expect(json(reply).status).toBe(Status.SUCCESS);
    }
  });

  it("serves only <mountPath>/<call> when a mount path is set", async () => {
    const { port } = await listen({ mountPath: "/_anycable" });
    expect((await send(port, "/_anycable/connect")).status).toBe(200);
    expect((await send(port, "/_anycable/connect?x=/y")).status).toBe(200);
    for (const path of ["/connect", "/other/connect", "/_anycable/x/connect", "/_anycable/welcome", "/_anycable/"]) {
      const reply = await send(port, path);
      expect(reply.status, path).toBe(404);
      expect(reply.text).toBe("Not found");
      expect(reply.headers.connection).toBe("close");
    }
  });

  it("refuses names that are not calls, including inherited property names", async () => {
    const { port, events } = await listen();
    for (const path of ["/toString", "/constructor", "/__proto__", "/hasOwnProperty"]) {
      expect((await send(port, path)).status, path).toBe(404);
    }
    expect(events).toEqual([]);
  });
});

describe("refusals before the body is read", () => {
  it("answers 405 with Allow: POST to another method", async () => {
    const { port, events } = await listen();
    const reply = await send(port, "/_anycable/command", { method: "PUT" });
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe("POST");
    expect(reply.text).toBe("Command takes POST");
    expect(reply.headers.connection).toBe("close");
    expect(reply.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(events).toEqual([]);
  });

  it("answers 401 with a Bearer challenge to a missing or wrong secret, and logs where from", async () => {
    const { port, logs, events } = await listen();
    for (const authorization of [undefined, `Bearer ${SECRET}x`, SECRET, `bearer ${SECRET}`]) {
      const headers: Record<string, string> = { ...JSON_TYPE, "x-anycable-meta-protov": "v1" };
      if (authorization !== undefined) headers.authorization = authorization;
      const reply = await new Promise<Reply>((resolve, reject) => {
        const body = JSON.stringify(CONNECT);
        const req = request(
          { host: "127.0.0.1", port, path: "/connect", method: "POST", headers: { ...headers, "content-length": String(body.length) } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
          },
        );
        req.on("error", reject);
        req.end(body);
      });
      expect(reply.status, String(authorization)).toBe(401);
      expect(reply.headers["www-authenticate"]).toBe('Bearer realm="anycable-rpc"');
      expect(reply.text).toBe("Unauthorized");
    }
    const lines = logs.at("warn").filter((l) => l.msg === "HTTP RPC request refused: missing or wrong bearer secret");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatchObject({ path: "/connect", remote: "127.0.0.1" });
    expect(events).toEqual([]);
  });

  it("accepts any request when no secret is set", async () => {
    const { port } = await listen({ secret: undefined });
    expect((await send(port, "/connect", { headers: { authorization: "Bearer whatever" } })).status).toBe(200);
  });

  it("wants a JSON content type, parameters and case aside", async () => {
    const { port } = await listen();
    for (const type of ["application/json; charset=utf-8", "Application/JSON", " application/json ;x=y"]) {
      expect((await send(port, "/connect", { headers: { "content-type": type } })).status, type).toBe(200);
    }
    for (const type of [
      "text/plain",
      "application/jsonp",
      "application/x-www-form-urlencoded",
      "multipart/form-data; x=application/json",
    ]) {
      const reply = await send(port, "/connect", { headers: { "content-type": type } });
      expect(reply.status, type).toBe(415);
      expect(reply.text).toBe("Expected Content-Type: application/json");
    }
    const untyped = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port, path: "/connect", method: "POST", headers: { authorization: AUTH.authorization } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end("{}");
    });
    expect(untyped).toBe(415);
  });

  it("answers 413 to a declared body over the limit, and reads one of exactly the limit", async () => {
    const exact = JSON.stringify({ ...CONNECT, pad: "" });
    const limit = Buffer.byteLength(exact) + 10;
    const { port, events } = await listen({ maxBodySize: limit });
    const fits = JSON.stringify({ ...CONNECT, pad: "x".repeat(10) });
    expect(Buffer.byteLength(fits)).toBe(limit);
    expect((await send(port, "/connect", { body: fits })).status).toBe(200);
    const over = await send(port, "/connect", { body: JSON.stringify({ ...CONNECT, pad: "x".repeat(11) }) });
    expect(over.status).toBe(413);
    expect(over.text).toBe(`Request body over ${limit} bytes`);
    expect(over.headers.connection).toBe("close");
    expect(events).toEqual(["start", "end"]);
  });
});

describe("the body", () => {
  it("refuses a chunked body once it grows past the limit, and reads one within it", async () => {
    const { port, events } = await listen({ maxBodySize: 1024 });
    const within = JSON.stringify({ ...CONNECT, pad: "x".repeat(600) });
    expect((await send(port, "/connect", { body: within, chunked: true })).status).toBe(200);
    const over = await send(port, "/connect", { body: JSON.stringify({ ...CONNECT, pad: "x".repeat(2000) }), chunked: true });
    expect(over.status).toBe(413);
    expect(over.text).toBe("Request body over 1024 bytes");
    expect(events).toEqual(["start", "end", "start", "end"]);
  });

  it("stops reading a body that grows past the limit: paused when its 413 goes out, the rest left on the wire", async () => {
    const { port } = await listen({ maxBodySize: 1024 });
    const seen = new Promise<{ flowing: boolean | null; readAtReply: number; readAtClose: number; highWaterMark: number }>((resolve) =>
      server?.once("request", (req: IncomingMessage, res: ServerResponse) => {
        const { socket } = req;
        let flowing: boolean | null = null;
        let readAtReply = -1;
        res.once("finish", () => {
          flowing = req.readableFlowing;
          readAtReply = socket.bytesRead;
        });
        socket.once("close", () =>
          resolve({ flowing, readAtReply, readAtClose: socket.bytesRead, highWaterMark: req.readableHighWaterMark }),
        );
      }),
    );
    // No Content-Length: only counting the body can catch it. 32 MiB, far more than the loopback
    // buffers hold, so the server could read on for as long as it keeps the socket.
    const client = request({ host: "127.0.0.1", port, path: "/connect", method: "POST", headers: AUTH });
    client.on("error", () => {});
    const status = new Promise<number>((resolve) =>
      client.on("response", (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }),
    );
    client.write(Buffer.alloc(32 << 20, " "));
    const { flowing, readAtReply, readAtClose, highWaterMark } = await seen;
    expect(await status).toBe(413);
    client.destroy();
    expect(flowing).toBe(false);
    // Paused, the request buffers what the parser already holds until its high-water mark, then
    // stops the socket: past the reply, at most that plus one 64 KiB socket read. Left flowing, the
    // server reads (and throws away) whatever arrives until the socket is gone.
    expect(readAtReply).toBeGreaterThan(1024);
    expect(readAtClose - readAtReply).toBeLessThan(highWaterMark + 64 * 1024);
  });

  it("lets go of the part of an oversized body it had buffered, even while the request object lives on", async () => {
    // Whatever holds the request after the 413 (a framework, a logger) must not hold up to
    // maxBodySize of discarded body with it. Each chunk is watched through a WeakRef only.
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const limit = 256 * 1024;
    const { port } = await listen({ maxBodySize: limit });
    const chunks: WeakRef<Buffer>[] = [];
    let held: IncomingMessage | undefined;
    let received = 0;
    let halfway = () => {};
    const halfwayIn = new Promise<void>((resolve) => (halfway = resolve));
    const closed = new Promise<void>((resolve) =>
      server?.once("request", (req: IncomingMessage) => {
        held = req;
        req.on("data", (chunk: Buffer) => {
          chunks.push(new WeakRef(chunk));
          received += chunk.length;
          if (received >= limit / 2) halfway();
        });
        req.socket.once("close", () => resolve());
      }),
    );
    const client = request({ host: "127.0.0.1", port, path: "/connect", method: "POST", headers: AUTH });
    client.on("error", () => {});
    const status = new Promise<number>((resolve) => client.on("response", (res) => resolve(res.statusCode ?? 0)));
    client.write(Buffer.alloc(limit / 2, " "));
    await halfwayIn;
    client.write(Buffer.alloc(limit, " "));
    expect(await status).toBe(413);
    await closed;
    client.destroy();
    expect(held?.complete).toBe(false);
    expect(chunks.length).toBeGreaterThan(1);
    // WeakRefs keep their targets until the current job ends: collect from a later turn.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(chunks.filter((chunk) => chunk.deref() !== undefined)).toHaveLength(0);
    held = undefined;
  });

  it("answers what decoding refuses with its status and reason, and logs it", async () => {
    const { port, logs } = await listen({ maxRequestEntries: 2 });
    const bad = await send(port, "/_anycable/command", { body: "{not json" });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/^Invalid JSON in Command request: /);
    expect(bad.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(bad.headers.connection).not.toBe("close");
    const many = await send(port, "/_anycable/connect", { body: JSON.stringify({ env: { headers: { a: "1", b: "2", c: "3" } } }) });
    expect(many.status).toBe(413);
    expect(many.text).toBe("Connect request carries 3 entries, over the limit of 2");
    expect(logs.at("warn").map((l) => [l.path, l.status, l.msg])).toEqual([
      ["/_anycable/command", 400, bad.text],
      ["/_anycable/connect", 413, many.text],
    ]);
  });

  it("hands the handler the session id and protocol version from anycable-go's meta headers", async () => {
    const { port } = await listen();
    const welcomed = await send(port, "/connect", { headers: { "x-anycable-meta-sid": "sid-7" } });
    expect(json(welcomed).transmissions).toEqual(['{"type":"welcome","sid":"sid-7"}']);
    const anonymous = await send(port, "/connect");
    expect(json(anonymous).transmissions).toEqual(['{"type":"welcome"}']);
    const old = await send(port, "/connect", { headers: { "x-anycable-meta-protov": "v0" } });
    expect(json(old)).toMatchObject({
      status: Status.ERROR,
      error_msg: "Incompatible AnyCable RPC client: server speaks v1, client supports v0",
    });
    const { authorization } = AUTH;
    const unversioned = await new Promise<Reply>((resolve, reject) => {
      const body = JSON.stringify(CONNECT);
      const req = request(
        {
          host: "127.0.0.1",
          port,
          path: "/connect",
          method: "POST",
          headers: { authorization, ...JSON_TYPE, "content-length": String(body.length) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
    expect(json(unversioned).error_msg).toBe("Incompatible AnyCable RPC client: server speaks v1, client supports unknown");
  });

  it("hands the handler exactly the metadata anycable-go sent: an empty sid and no protov when their headers are absent", async () => {
    const logs = captureLogger();
    const { handler, seen } = metadataRecordingHandler({ app, broadcaster: new RecordingBroadcaster(), logger: logs.logger });
    const { port } = await listen({ handler, secret: undefined });
    await send(port, "/connect", { headers: { "x-anycable-meta-sid": "sid-7" } });
    const bare = await new Promise<number>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, path: "/connect", method: "POST", headers: JSON_TYPE }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end(JSON.stringify(CONNECT));
    });
    expect(bare).toBe(200);
    expect(seen).toStrictEqual([
      { sid: "sid-7", protov: "v1" },
      { sid: "", protov: undefined },
    ]);
  });

  it("routes each path to its own call", async () => {
    const { port } = await listen();
    const command = await send(port, "/command", {
      body: JSON.stringify({
        command: "subscribe",
        identifier: '{"channel":"chat","room":"lobby"}',
        connection_identifiers: '{"user":"ann"}',
      }),
    });
    expect(json(command)).toMatchObject({ status: Status.SUCCESS, streams: ["chat:lobby"] });
    const disconnect = await send(port, "/disconnect", { body: JSON.stringify({ identifiers: '{"user":"ann"}', subscriptions: [] }) });
    expect(json(disconnect)).toEqual({ status: Status.SUCCESS, error_msg: "" });
  });
});

describe("without an onRequest callback (it is optional)", () => {
  it("answers, refuses an oversized body and survives a client going away mid-body", async () => {
    // A promise rejected where nobody awaits it would take a real server down (Node's default).
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    onTestFinished(() => void process.off("unhandledRejection", onUnhandled));
    const { port, logs } = await listen({ onRequest: undefined, maxBodySize: 1024 });
    expect((await send(port, "/connect")).status).toBe(200);
    expect((await send(port, "/connect", { body: JSON.stringify({ ...CONNECT, pad: "x".repeat(2000) }), chunked: true })).status).toBe(413);
    const closed = new Promise<void>((resolve) =>
      server?.once("request", (req: IncomingMessage) => req.once("close", () => setImmediate(resolve))),
    );
    const req = request({ host: "127.0.0.1", port, path: "/connect", method: "POST", headers: { ...AUTH, "content-length": "1000" } });
    req.on("error", () => {});
    req.write("{");
    server?.once("request", () => req.destroy());
    await closed;
    expect(logs.at("debug").map((l) => l.msg)).toContain("HTTP RPC request body not received");
    expect(logs.at("error")).toEqual([]);
    expect((await send(port, "/connect")).status).toBe(200);
    expect(unhandled).toEqual([]);
  });
});

describe("its own failures", () => {
  it("answers 500 naming the call when the handler itself fails, logs it, and still ends the request", async () => {
    const logs = captureLogger();
    class BrokenHandler extends RpcHandler {
      override async command(): Promise<never> {
        throw new Error("handler bug");
      }
      override async disconnect(): Promise<never> {
        throw "not an error";
      }
    }
    const handler = new BrokenHandler({ app, broadcaster: new RecordingBroadcaster(), logger: logs.logger });
    const { port, events, logs: own } = await listen({ handler });
    const command = await send(port, "/command", { body: "{}" });
    expect(command.status).toBe(500);
    expect(command.text).toBe("Command failed: handler bug");
    const disconnect = await send(port, "/disconnect", { body: "{}" });
    expect(disconnect.text).toBe("Disconnect failed: not an error");
    expect(own.at("error").map((l) => [l.msg, l.path])).toEqual([
      ["HTTP RPC handler failed unexpectedly", "/command"],
      ["HTTP RPC handler failed unexpectedly", "/disconnect"],
    ]);
    expect(events).toEqual(["start", "end", "start", "end"]);
    // The listener keeps serving.
    expect((await send(port, "/connect")).status).toBe(200);
  });

  it("ends the request quietly when the client goes away mid-body", async () => {
    const { port, events, logs } = await listen({ maxBodySize: 1 << 20 });
    // The server side of the request closes after its abort has been handled.
    const closed = new Promise<void>((resolve) =>
      server?.once("request", (req: IncomingMessage) => req.once("close", () => setImmediate(resolve))),
    );
    const req = request({ host: "127.0.0.1", port, path: "/connect", method: "POST", headers: { ...AUTH, "content-length": "100000" } });
    req.on("error", () => {});
    req.write("{".padEnd(1000, " "));
    server?.once("request", () => req.destroy());
    await closed;
    expect(events).toEqual(["start", "end"]);
    // Node >= 20 ends an aborted request with an ECONNRESET "aborted" error, which is what reaches the log.
    expect(logs.at("debug").find((l) => l.msg === "HTTP RPC request body not received")).toMatchObject({
      path: "/connect",
      err: { code: "ECONNRESET", message: "aborted" },
    });
    expect(logs.at("error")).toEqual([]);
  });

  it("cuts the connection when a reply fails to encode after its 200 was written, and keeps serving", async () => {
    const logs = captureLogger();
    class UnencodableHandler extends RpcHandler {
      override async disconnect(): Promise<never> {
        // JSON.stringify throws on a BigInt: the 200 status line is already written by then.
        return { status: 1n } as never;
      }
    }
    const handler = new UnencodableHandler({ app, broadcaster: new RecordingBroadcaster(), logger: logs.logger });
    const { port, events, logs: own } = await listen({ handler });
    await expect(send(port, "/disconnect", { body: "{}" })).rejects.toMatchObject({ code: "ECONNRESET" });
    expect(own.at("error").map((l) => [l.msg, l.path])).toEqual([["HTTP RPC handler failed unexpectedly", "/disconnect"]]);
    expect(events).toEqual(["start", "end"]);
    expect((await send(port, "/connect")).status).toBe(200);
  });
});
