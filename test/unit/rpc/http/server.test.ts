// HttpRpcServer in-process on loopback: health, binding and what it logs, and draining. The
// whole stack against a real anycable-go is test/integration/rpc/http-server.test.ts.
import { Agent, request, type IncomingHttpHeaders } from "node:http";
import * as diagnostics from "node:diagnostics_channel";
import type { EventEmitter } from "node:events";
import { connect } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it, onTestFinished } from "vitest";
import { loadRpcConfig, type RpcConfig } from "../../../../src/config/rpc-config.js";
import { RpcHandler } from "../../../../src/rpc/handler.js";
import { HttpRpcServer } from "../../../../src/rpc/http/server.js";
import { Status } from "../../../../src/rpc/messages.js";
import { held, holdApp as app, holding } from "../support/hold-channel.js";
import { RecordingBroadcaster } from "../../../fixtures/recording-broadcaster.js";
import { captureLogger, type CapturedLogs } from "../../../support/capture-logger.js";

const HOLD = JSON.stringify({
  command: "message",
  identifier: '{"channel":"hold"}',
  connection_identifiers: '{"user":"ann"}',
  data: '{"action":"hold"}',
});
const CONNECT = JSON.stringify({ env: { url: "http://x/cable", headers: { cookie: "user=ann" } } });

const servers: HttpRpcServer[] = [];
const agents: Agent[] = [];

afterEach(async () => {
  held.releaseAll();
  for (const agent of agents.splice(0)) agent.destroy();
  for (const server of servers.splice(0)) await server.shutdown();
});

function config(overrides: Partial<RpcConfig> = {}, http: Partial<RpcConfig["http"]> = {}): RpcConfig {
  const base = loadRpcConfig({ ANYCABLE_RPC_HOST: "http://127.0.0.1:0/_anycable", ANYCABLE_HTTP_RPC_SECRET: "none" });
  return { ...base, shutdownTimeoutSeconds: 5, ...overrides, http: { ...base.http, ...http } };
}

function create(options: { config?: RpcConfig; logs?: CapturedLogs } = {}): { server: HttpRpcServer; logs: CapturedLogs } {
  const logs = options.logs ?? captureLogger();
  const handler = new RpcHandler({ app, broadcaster: new RecordingBroadcaster(), logger: logs.logger });
  const server = new HttpRpcServer({ handler, config: options.config ?? config(), logger: logs.logger });
  servers.push(server);
  return { server, logs };
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

function send(port: number, path: string, options: { method?: string; body?: string; agent?: Agent } = {}): Promise<Reply> {
  const body = options.body ?? "";
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: options.method ?? "POST",
        agent: options.agent,
        headers: { "content-type": "application/json", "x-anycable-meta-protov": "v1", "content-length": String(Buffer.byteLength(body)) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * A connection holding the first part of a request: midway through its headers it is not idle, so
 * a drain keeps it open, and the rest, sent with finish(), is the first request the server sees
 * after the drain began. finish() resolves with all the server sent before closing it.
 */
async function halfSentRequest(port: number, head: string): Promise<{ finish: (rest: string) => Promise<string> }> {
  const socket = connect(port);
  await new Promise<void>((resolve) => socket.once("connect", resolve));
  let text = "";
  socket.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  const closed = new Promise<string>((resolve) => socket.on("close", () => resolve(text)));
  socket.write(head);
  return {
    finish: (rest) => {
      socket.write(rest);
      return closed;
    },
  };
}

describe("health", () => {
  it("answers GET and HEAD /health with SERVING, whatever its query, and leaves other methods and paths to RPC", async () => {
    const { server } = create();
    const port = await server.start();
    const get = await send(port, "/health", { method: "GET" });
    expect(get).toMatchObject({ status: 200, text: '{"status":"SERVING"}' });
    expect(get.headers["content-type"]).toBe("application/json");
    expect((await send(port, "/health", { method: "HEAD" })).status).toBe(200);
    expect((await send(port, "/health", { method: "POST" })).status).toBe(404);
    // Probes add cache busters and flags; anycable-go's own /health ignores them too (1.5.6 and 1.6.16).
    expect(await send(port, "/health?x", { method: "GET" })).toMatchObject({ status: 200, text: '{"status":"SERVING"}' });
    expect((await send(port, "/health?full=1&t=1733170000", { method: "HEAD" })).status).toBe(200);
    expect((await send(port, "/health?x", { method: "POST" })).status).toBe(404);
    expect((await send(port, "/health/", { method: "GET" })).status).toBe(404);
    expect((await send(port, "/healthz?x", { method: "GET" })).status).toBe(404);
  });
});

describe("connections", () => {
  it("keeps an idle connection open for five minutes for anycable-go's pool to reuse, and says so in Keep-Alive", async () => {
    const { server } = create();
    const port = await server.start();
    const agent = new Agent({ keepAlive: true });
    agents.push(agent);
    const reply = await send(port, "/health", { method: "GET", agent });
    expect(reply.headers.connection).toBe("keep-alive");
    expect(reply.headers["keep-alive"]).toBe("timeout=300");
  });

  it("forgets each response once it has closed, however long the server runs", async () => {
    // Responses are tracked only to tell them to close their connection if a drain starts.
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const { server } = create();
    const port = await server.start();
    const responses: WeakRef<object>[] = [];
    const track = (message: unknown) => responses.push(new WeakRef((message as { response: object }).response));
    diagnostics.subscribe("http.server.response.finish", track);
    onTestFinished(() => void diagnostics.unsubscribe("http.server.response.finish", track));
    const agent = new Agent({ keepAlive: true });
    agents.push(agent);
    for (let i = 0; i < 3; i++) expect((await send(port, "/health", { method: "GET", agent })).status).toBe(200);
    expect((await send(port, "/_anycable/connect", { body: CONNECT, agent })).status).toBe(200);
    expect(responses).toHaveLength(4);
    // WeakRefs keep their targets until the current job ends: collect from a later turn.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(responses.filter((response) => response.deref() !== undefined)).toHaveLength(0);
  });

  it("leaves a server error after it listens to Node, not to the bind's own handler", async () => {
    const { server } = create();
    const port = await server.start();
    let node: EventEmitter | undefined;
    const grab = (message: unknown) => (node = (message as { server: EventEmitter }).server);
    diagnostics.subscribe("http.server.request.start", grab);
    onTestFinished(() => void diagnostics.unsubscribe("http.server.request.start", grab));
    await send(port, "/health", { method: "GET" });
    // An accept failure (EMFILE) once listening: no listener left from start() may swallow it.
    expect(() => node?.emit("error", new Error("accept EMFILE"))).toThrow("accept EMFILE");
  });
});

describe("binding", () => {
  it("has no port before it starts, then says where it listens, with the mount path and where its secret came from", async () => {
    const { server, logs } = create({ config: config({}, { secret: "s3cret", secretSource: "ANYCABLE_HTTP_RPC_SECRET" }) });
    expect(server.port).toBeUndefined();
    const port = await server.start();
    expect(server.port).toBe(port);
    expect(port).toBeGreaterThan(0);
    expect(logs.at("info").find((l) => l.msg === "AnyCable HTTP RPC server listening")).toEqual(
      expect.objectContaining({ host: "127.0.0.1:0", port, mountPath: "/_anycable", auth: "ANYCABLE_HTTP_RPC_SECRET" }),
    );
    expect(logs.at("warn")).toEqual([]);
    // The secret is enforced, at the mount path.
    expect((await send(port, "/_anycable/connect", { body: CONNECT })).status).toBe(401);
  });

  it("warns when it accepts requests without a secret, and names the root mount path /", async () => {
    const { server, logs } = create({ config: config({}, { mountPath: "" }) });
    const port = await server.start();
    expect(logs.at("info").find((l) => l.msg === "AnyCable HTTP RPC server listening")).toMatchObject({ mountPath: "/", auth: "none" });
    expect(logs.at("warn").map((l) => l.msg)).toEqual([
      "HTTP RPC accepts requests without a secret: set ANYCABLE_HTTP_RPC_SECRET or ANYCABLE_SECRET beyond development",
    ]);
    const reply = await send(port, "/connect", { body: CONNECT });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)).toMatchObject({ status: Status.SUCCESS });
  });

  it("binds an IPv6 loopback address in brackets", async () => {
    const { server } = create({ config: config({ host: "[::1]:0" }) });
    const port = await server.start();
    const reply = await new Promise<number>((resolve, reject) => {
      const req = request({ host: "::1", port, path: "/health" }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    expect(reply).toBe(200);
  });

  it("says which address it could not bind", async () => {
    // 192.0.2.1 is TEST-NET-1, assigned to no machine: the bind fails without touching anything.
    const { server } = create({ config: config({ host: "192.0.2.1:0" }) });
    await expect(server.start()).rejects.toThrow(/^Cannot listen on 192\.0\.2\.1:0: /);
  });
});

describe("draining", () => {
  it("answers health NOT_SERVING, tells connections to close, and stops once the request in flight has its reply", async () => {
    const { server, logs } = create();
    const port = await server.start();
    const late = await halfSentRequest(port, "GET /health HTTP/1.1\r\nHost: x\r\n");
    const { reply: inFlight, arrived } = holding(() => send(port, "/_anycable/command", { body: HOLD }));
    await arrived;
    expect(server.inFlight).toBe(1);
    let stopped = false;
    const stopping = server.shutdown().then(() => (stopped = true));
    expect(server.shutdown()).toBe(server.shutdown());
    const health = await late.finish("\r\n");
    expect(health).toMatch(/^HTTP\/1\.1 503 /);
    expect(health).toMatch(/\r\nConnection: close\r\n/i);
    expect(health).toContain('{"status":"NOT_SERVING"}');
    await expect(send(port, "/health", { method: "GET" })).rejects.toMatchObject({ code: "ECONNREFUSED" });
    expect(stopped).toBe(false);
    held.releaseAll();
    const reply = await inFlight;
    expect(reply.status).toBe(200);
    expect(reply.headers.connection).toBe("close");
    expect(JSON.parse(reply.text)).toMatchObject({ status: Status.SUCCESS });
    await stopping;
    expect(server.inFlight).toBe(0);
    expect(logs.at("info").map((l) => l.msg)).toEqual(expect.arrayContaining(["draining RPC server", "RPC server stopped"]));
    expect(logs.at("warn").filter((l) => l.msg.startsWith("shutdown timeout"))).toEqual([]);
  });

  it("closes an idle kept-alive connection as soon as the drain starts, while a request is still in flight", async () => {
    const { server } = create();
    const port = await server.start();
    const idle = connect(port);
    const received = new Promise<string>((resolve) => idle.once("data", (chunk: Buffer) => resolve(chunk.toString("utf8"))));
    const closed = new Promise<void>((resolve) => idle.once("close", () => resolve()));
    idle.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    expect(await received).toMatch(/^HTTP\/1\.1 200 [^]*\r\nConnection: keep-alive\r\n/i);
    const { reply: inFlight, arrived } = holding(() => send(port, "/_anycable/command", { body: HOLD }));
    await arrived;
    const stopping = server.shutdown();
    await closed;
    expect(server.inFlight).toBe(1);
    held.releaseAll();
    expect((await inFlight).status).toBe(200);
    await stopping;
  });

  it("still answers an RPC call that reaches a connection opened before the drain, and closes that connection", async () => {
    // The 503 is for /health only: to anycable-go an RPC answered 503 is an Unknown error, which
    // it does not retry, while a refused connection is Unavailable, which it retries.
    const { server } = create();
    const port = await server.start();
    const late = await halfSentRequest(
      port,
      "POST /_anycable/connect HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-AnyCable-Meta-Protov: v1\r\n" +
        `Content-Length: ${Buffer.byteLength(CONNECT)}\r\n`,
    );
    const { reply: inFlight, arrived } = holding(() => send(port, "/_anycable/command", { body: HOLD }));
    await arrived;
    const stopping = server.shutdown();
    const answer = await late.finish(`\r\n${CONNECT}`);
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toMatch(/\r\nConnection: close\r\n/i);
    // One chunk, then the last (Transfer-Encoding: chunked).
    const body = /\r\n\r\n[0-9a-f]+\r\n(.*)\r\n0\r\n\r\n$/s.exec(answer)?.[1] ?? "";
    expect(JSON.parse(body)).toMatchObject({ status: Status.SUCCESS });
    held.releaseAll();
    expect((await inFlight).status).toBe(200);
    await stopping;
  });

  it("drains with a reply still on its way to a client that stopped reading: its headers are already out", async () => {
    // The drain tells unanswered responses to close their connection; one whose headers are sent
    // (a big reply the client is slow to take) cannot be told, and must not break the drain.
    const logs = captureLogger();
    class BigReplyHandler extends RpcHandler {
      override async connect() {
        return { status: Status.SUCCESS, identifiers: "", transmissions: ["x".repeat(64 << 20)], error_msg: "", env: null };
      }
    }
    const handler = new BigReplyHandler({ app, broadcaster: new RecordingBroadcaster(), logger: logs.logger });
    const server = new HttpRpcServer({
      handler,
      config: config({ shutdownTimeoutSeconds: 1 }, { secret: undefined }),
      logger: logs.logger,
    });
    servers.push(server);
    const port = await server.start();
    const slow = connect(port);
    const started = new Promise<void>((resolve) => slow.once("data", () => resolve()));
    slow.write(
      "POST /_anycable/connect HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
        `Content-Length: ${Buffer.byteLength(CONNECT)}\r\n\r\n${CONNECT}`,
    );
    await started;
    // The reply's head has arrived; 64 MiB cannot all fit in the socket buffers of a reader that stopped.
    slow.pause();
    await expect(server.shutdown()).resolves.toBeUndefined();
    slow.destroy();
  });

  it("cuts a request still running at the shutdown timeout, with a warning", async () => {
    const { server, logs } = create({ config: config({ shutdownTimeoutSeconds: 0.3 }) });
    const port = await server.start();
    const { reply: inFlight, arrived } = holding(() => send(port, "/_anycable/command", { body: HOLD }));
    await arrived;
    await server.shutdown();
    await expect(inFlight).rejects.toMatchObject({ code: "ECONNRESET" });
    expect(logs.at("warn").find((l) => l.msg === "shutdown timeout reached, cutting the calls still running")).toMatchObject({
      inFlight: 1,
    });
  });
});
