// RpcServer, the gRPC transport, in-process on loopback: what it reads from a call's metadata,
// the two guards around (de)serialization, its own failures, binding, and draining. The whole
// stack against a real anycable-go is test/integration/rpc.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterEach, describe, expect, it } from "vitest";
import { loadRpcConfig, type RpcConfig } from "../../../../src/config/rpc-config.js";
import { rpcClientConstructor, rpcServiceDefinition } from "../../../../src/rpc/grpc/proto.js";
import { requestEntries } from "../../../../src/rpc/grpc/request-bounds.js";
import { grpcServerOptions, RpcServer, SERVICE_NAME } from "../../../../src/rpc/grpc/server.js";
import { RpcHandler } from "../../../../src/rpc/handler.js";
import { Status, type CallMetadata } from "../../../../src/rpc/messages.js";
import { held, holdApp as app, holding } from "../support/hold-channel.js";
import { metadataRecordingHandler } from "../support/metadata-recording-handler.js";
import { RecordingBroadcaster } from "../../../fixtures/recording-broadcaster.js";
import { captureLogger, type CapturedLogs } from "../../../support/capture-logger.js";

type Reply = Record<string, unknown>;
type Unary = (request: object, metadata: grpc.Metadata, callback: (error: grpc.ServiceError | null, response: Reply) => void) => void;
type RpcClient = grpc.Client & Record<"Connect" | "Command" | "Disconnect", Unary>;

const HOLD = {
  command: "message",
  identifier: '{"channel":"hold"}',
  connection_identifiers: '{"user":"ann"}',
  data: '{"action":"hold"}',
  env: { url: "http://x/cable", headers: {} },
};
const CONNECT = { env: { url: "http://x/cable", headers: { cookie: "user=ann" } } };

const started: Array<{ server: RpcServer; client?: grpc.Client }> = [];

afterEach(async () => {
  held.releaseAll();
  for (const { server, client } of started.splice(0)) {
    client?.close();
    await server.shutdown();
  }
});

function config(overrides: Partial<RpcConfig> = {}): RpcConfig {
  return { ...loadRpcConfig({}), host: "127.0.0.1:0", shutdownTimeoutSeconds: 5, ...overrides };
}

async function serve(
  options: { config?: Partial<RpcConfig>; handler?: RpcHandler; logs?: CapturedLogs } = {},
): Promise<{ server: RpcServer; client: RpcClient; logs: CapturedLogs; port: number }> {
  const logs = options.logs ?? captureLogger();
  const handler = options.handler ?? new RpcHandler({ app, broadcaster: new RecordingBroadcaster(), logger: logs.logger });
  const server = new RpcServer({ handler, config: config(options.config), logger: logs.logger });
  const entry: { server: RpcServer; client?: grpc.Client } = { server };
  started.push(entry);
  const port = await server.start();
  const RPC = rpcClientConstructor();
  const client = new RPC(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
    "grpc.max_send_message_length": 64 * 1024 * 1024,
    "grpc.max_receive_message_length": 64 * 1024 * 1024,
  }) as unknown as RpcClient;
  entry.client = client;
  return { server, client, logs, port };
}

function metadata(entries: Record<string, string> = { sid: "sid-1", protov: "v1" }): grpc.Metadata {
  const m = new grpc.Metadata();
  for (const [key, value] of Object.entries(entries)) m.set(key, value);
  return m;
}

function call(client: RpcClient, method: "Connect" | "Command" | "Disconnect", request: object, meta = metadata()): Promise<Reply> {
  return new Promise((resolve, reject) => {
    client[method](request, meta, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

const require = createRequire(import.meta.url);
const HealthClient = (
  grpc.loadPackageDefinition(
    protoLoader.loadSync(require.resolve("grpc-health-check/proto/health/v1/health.proto"), { keepCase: true, enums: String }),
  ) as unknown as { grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } } }
).grpc.health.v1.Health;

/** The size on the wire of `response` as an anycable.RPC reply of `method`. */
function replyBytes(method: string, response: object): number {
  const definition = rpcServiceDefinition() as unknown as Record<string, { responseSerialize: (value: object) => Buffer }>;
  return definition[method]!.responseSerialize(response).length;
}

function requestBytes(method: string, request: object): Buffer {
  const definition = rpcServiceDefinition() as unknown as Record<string, { requestSerialize: (value: object) => Buffer }>;
  return definition[method]!.requestSerialize(request);
}

describe("grpcServerOptions", () => {
  it("caps messages both ways at maxMessageSize, turns channelz off, and limits streams only when asked", () => {
    // Strictly: grpc-js reads an option that is present but undefined differently from one left out.
    expect(grpcServerOptions({ maxMessageSize: 1234, maxConcurrentStreams: undefined })).toStrictEqual({
      "grpc.max_receive_message_length": 1234,
      "grpc.max_send_message_length": 1234,
      "grpc.enable_channelz": 0,
    });
    expect(grpcServerOptions({ maxMessageSize: 1234, maxConcurrentStreams: 28 })).toMatchObject({ "grpc.max_concurrent_streams": 28 });
  });
});

describe("the call's metadata", () => {
  it("gives the handler the session id, which the welcome carries", async () => {
    const { client } = await serve();
    const reply = await call(client, "Connect", CONNECT, metadata({ sid: "sid-42", protov: "v1" }));
    expect(reply.status).toBe(Status.SUCCESS);
    expect(reply.transmissions).toEqual(['{"type":"welcome","sid":"sid-42"}']);
  });

  it("reads a missing session id as none, and a missing protocol version as unknown", async () => {
    const { client } = await serve();
    const welcome = await call(client, "Connect", CONNECT, metadata({ protov: "v1" }));
    expect(welcome.transmissions).toEqual(['{"type":"welcome"}']);
    const refused = await call(client, "Connect", CONNECT, metadata({ sid: "s" }));
    expect(refused).toMatchObject({
      status: Status.ERROR,
      error_msg: "Incompatible AnyCable RPC client: server speaks v1, client supports unknown",
    });
  });

  it("hands the handler exactly what the metadata said: an empty sid and no protov when they are missing", async () => {
    const logs = captureLogger();
    const { handler, seen } = metadataRecordingHandler({ app, broadcaster: new RecordingBroadcaster(), logger: logs.logger });
    const { client } = await serve({ handler, logs });
    await call(client, "Connect", CONNECT, metadata({ sid: "sid-9", protov: "v1" }));
    await call(client, "Connect", CONNECT, metadata({}));
    expect(seen).toStrictEqual([
      { sid: "sid-9", protov: "v1" },
      { sid: "", protov: undefined },
    ]);
  });
});

describe("calls", () => {
  it("forgets each call once it is answered", async () => {
    // Each running call is kept only to be answered if the shutdown timeout cuts it.
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const logs = captureLogger();
    const requests: WeakRef<object>[] = [];
    class RecordingHandler extends RpcHandler {
      override connect(request: Parameters<RpcHandler["connect"]>[0], meta: CallMetadata) {
        requests.push(new WeakRef(request));
        return super.connect(request, meta);
      }
    }
    const handler = new RecordingHandler({ app, broadcaster: new RecordingBroadcaster(), logger: logs.logger });
    const { client } = await serve({ handler, logs });
    for (let i = 0; i < 3; i++) expect((await call(client, "Connect", CONNECT)).status).toBe(Status.SUCCESS);
    // WeakRefs keep their targets until the current job ends: collect from a later turn.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(requests).toHaveLength(3);
    expect(requests.filter((request) => request.deref() !== undefined)).toHaveLength(0);
  });
});

describe("health", () => {
  it('answers SERVING for "" and "anycable.RPC", as the Ruby server does, and NOT_FOUND for other names', async () => {
    const { port } = await serve();
    const health = new HealthClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
      Check: (request: object, callback: (error: grpc.ServiceError | null, reply: { status: string }) => void) => void;
    };
    const check = (service: string) =>
      new Promise<string>((resolve) =>
        health.Check({ service }, (error, reply) => resolve(error ? grpc.status[error.code] : reply.status)),
      );
    try {
      expect(await check("")).toBe("SERVING");
      expect(await check("anycable.RPC")).toBe("SERVING");
      expect(await check("anycable.Other")).toBe("NOT_FOUND");
    } finally {
      health.close();
    }
  });
});

describe("request and reply bounds", () => {
  const withHeaders = (count: number) => ({
    env: {
      url: "http://x/cable",
      headers: { cookie: "user=ann", ...Object.fromEntries(Array.from({ length: count }, (_, i) => [`h${i}`, "v"])) },
    },
  });

  it("serves a request with exactly maxRequestEntries fields and refuses one more before decoding, saying why", async () => {
    const limit = requestEntries("Connect", requestBytes("Connect", withHeaders(10)))!;
    const { client, logs } = await serve({ config: { maxRequestEntries: limit } });
    expect((await call(client, "Connect", withHeaders(10))).status).toBe(Status.SUCCESS);
    const refused = call(client, "Connect", withHeaders(11));
    await expect(refused).rejects.toMatchObject({ code: grpc.status.INTERNAL });
    const line = logs.at("warn").find((l) => l.msg === "RPC request refused: too many fields (ANYCABLE_RPC_MAX_REQUEST_ENTRIES)");
    expect(line).toMatchObject({ rpc: "Connect", entries: limit + 1, maxRequestEntries: limit });
    expect(line?.bytes).toBe(requestBytes("Connect", withHeaders(11)).length);
  });

  it("sends a reply of exactly maxMessageSize, and replaces a bigger one by an ERROR reply saying why", async () => {
    const expected = {
      status: Status.SUCCESS,
      identifiers: '{"user":"ann"}',
      transmissions: ['{"type":"welcome","sid":"sid-1"}'],
      error_msg: "",
      env: { cstate: { connected_at: "t0" }, istate: {} },
    };
    const size = replyBytes("Connect", expected);
    const exact = await serve({ config: { maxMessageSize: size } });
    expect(await call(exact.client, "Connect", CONNECT)).toMatchObject(expected);
    expect(exact.logs.at("error")).toEqual([]);

    const under = await serve({ config: { maxMessageSize: size - 1 } });
    expect(await call(under.client, "Connect", CONNECT)).toMatchObject({
      status: Status.ERROR,
      identifiers: "",
      transmissions: [],
      error_msg: `reply of ${size} bytes exceeds the RPC server's limit of ${size - 1}`,
    });
    const line = under.logs.at("error")[0];
    expect(line?.msg).toMatch(/^RPC reply refused: larger than ANYCABLE_RPC_MAX_MESSAGE_SIZE/);
    expect(line).toMatchObject({ rpc: "Connect", bytes: size, maxMessageSize: size - 1 });
  });
});

describe("a failure of the handler itself", () => {
  it("answers INTERNAL naming the call, logs it, and counts the call as finished", async () => {
    const logs = captureLogger();
    class BrokenHandler extends RpcHandler {
      override async command(): Promise<never> {
        throw new Error("unreachable in a correct handler");
      }
      override async disconnect(): Promise<never> {
        throw "a string";
      }
    }
    const handler = new BrokenHandler({ app, broadcaster: new RecordingBroadcaster(), logger: logs.logger });
    const { server, client } = await serve({ handler, logs });
    await expect(call(client, "Command", HOLD)).rejects.toMatchObject({
      code: grpc.status.INTERNAL,
      details: "Command failed: unreachable in a correct handler",
    });
    await expect(call(client, "Disconnect", { identifiers: "", subscriptions: [] })).rejects.toMatchObject({
      code: grpc.status.INTERNAL,
      details: "Disconnect failed: a string",
    });
    expect(logs.at("error").map((l) => [l.msg, l.rpc])).toEqual([
      ["RPC handler failed unexpectedly", "Command"],
      ["RPC handler failed unexpectedly", "Disconnect"],
    ]);
    expect(server.inFlight).toBe(0);
    // Connect still reaches the real handler.
    expect((await call(client, "Connect", CONNECT)).status).toBe(Status.SUCCESS);
  });

  it("answers INTERNAL, not grpc-js's UNKNOWN, when the handler throws before it returns a promise, and counts the call as finished", async () => {
    // RpcHandler's own methods are async, but a handler given to RpcServer need not be: a throw
    // outside a promise would reach grpc-js, which answers UNKNOWN "Unknown error" and never lets
    // the call end, so a drain would wait for the whole shutdown timeout.
    const logs = captureLogger();
    class ThrowingHandler extends RpcHandler {
      override connect(): Promise<never> {
        throw new Error("thrown before any promise");
      }
    }
    const handler = new ThrowingHandler({ app, broadcaster: new RecordingBroadcaster(), logger: logs.logger });
    const { server, client } = await serve({ handler, logs });
    await expect(call(client, "Connect", CONNECT)).rejects.toMatchObject({
      code: grpc.status.INTERNAL,
      details: "Connect failed: thrown before any promise",
    });
    expect(logs.at("error").map((l) => [l.msg, l.rpc])).toEqual([["RPC handler failed unexpectedly", "Connect"]]);
    expect(server.inFlight).toBe(0);
  });
});

describe("binding", () => {
  it("says where it listens, and has no port before it starts", async () => {
    const logs = captureLogger();
    const handler = new RpcHandler({ app, broadcaster: new RecordingBroadcaster(), logger: logs.logger });
    const server = new RpcServer({ handler, config: config(), logger: logs.logger });
    started.push({ server });
    expect(server.port).toBeUndefined();
    const port = await server.start();
    expect(server.port).toBe(port);
    expect(port).toBeGreaterThan(0);
    expect(logs.at("info").find((l) => l.msg === "AnyCable RPC server listening")).toMatchObject({
      host: "127.0.0.1:0",
      port,
      tls: false,
    });
    expect(logs.at("warn")).toEqual([]);
  });

  it.each(["[::1]:0", "LocalHost:0", "127.10.200.30:0"])("binds %s without a warning: it is loopback", async (host) => {
    const { logs, client } = await serve({ config: { host } });
    expect(logs.at("warn")).toEqual([]);
    client.close();
  });

  it("warns before binding beyond loopback, and says which address it could not bind", async () => {
    // 192.0.2.1 is TEST-NET-1, assigned to no machine: nothing is bound, and the bind fails.
    const logs = captureLogger();
    const handler = new RpcHandler({ app, broadcaster: new RecordingBroadcaster(), logger: logs.logger });
    const server = new RpcServer({ handler, config: config({ host: "192.0.2.1:0" }), logger: logs.logger });
    started.push({ server });
    await expect(server.start()).rejects.toThrow(/^Cannot listen on 192\.0\.2\.1:0: /);
    expect(logs.at("warn")[0]?.msg).toMatch(/^the RPC server listens beyond loopback/);
    expect(logs.at("warn")[0]).toMatchObject({ host: "192.0.2.1:0", tls: false });
  });
});

describe("TLS", () => {
  it("serves over TLS with the configured certificate, asks clients for none, and refuses plaintext", async () => {
    // A throwaway self-signed certificate, which the client trusts as its own root.
    const dir = mkdtempSync(join(tmpdir(), "grpc-tls-"));
    let cert: string;
    let key: string;
    try {
      execFileSync(
        "openssl",
        [
          "req",
          "-x509",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:prime256v1",
          "-nodes",
          "-keyout",
          "key.pem",
          "-out",
          "cert.pem",
        ].concat(["-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"]),
        { cwd: dir, stdio: ["ignore", "ignore", "pipe"] },
      );
      cert = readFileSync(join(dir, "cert.pem"), "utf8");
      key = readFileSync(join(dir, "key.pem"), "utf8");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const logs = captureLogger();
    const handler = new RpcHandler({ app, broadcaster: new RecordingBroadcaster(), logger: logs.logger });
    const server = new RpcServer({ handler, config: config({ tls: { cert, key } }), logger: logs.logger });
    const entry: { server: RpcServer; client?: grpc.Client } = { server };
    started.push(entry);
    const port = await server.start();
    expect(logs.at("info").find((l) => l.msg === "AnyCable RPC server listening")).toMatchObject({ port, tls: true });

    const RPC = rpcClientConstructor();
    // No client certificate, as anycable-go presents none.
    const secure = new RPC(`127.0.0.1:${port}`, grpc.credentials.createSsl(Buffer.from(cert))) as unknown as RpcClient;
    entry.client = secure;
    expect((await call(secure, "Connect", CONNECT)).status).toBe(Status.SUCCESS);
    const plain = new RPC(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as RpcClient;
    try {
      await expect(call(plain, "Connect", CONNECT)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    } finally {
      plain.close();
    }

    // Beyond loopback, TLS or not, anycable-go still presents no credential: the warning says TLS is on.
    const wide = new RpcServer({ handler, config: config({ tls: { cert, key }, host: "192.0.2.1:0" }), logger: logs.logger });
    started.push({ server: wide });
    await expect(wide.start()).rejects.toThrow(/^Cannot listen on 192\.0\.2\.1:0: /);
    expect(logs.at("warn").find((l) => /^the RPC server listens beyond loopback/.test(l.msg))).toMatchObject({
      host: "192.0.2.1:0",
      tls: true,
    });
  });
});

describe("draining", () => {
  it("turns health NOT_SERVING, refuses new calls, and stops only once the call in flight has its reply", async () => {
    const { server, client, port, logs } = await serve();
    const health = new HealthClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const statuses: Record<string, string[]> = { "": [], [SERVICE_NAME]: [] };
    const watches = Object.keys(statuses).map((service) => {
      const watch = (health as unknown as { Watch: (r: object) => grpc.ClientReadableStream<{ status: string }> }).Watch({ service });
      watch.on("data", (m: { status: string }) => statuses[service]!.push(m.status));
      watch.on("error", () => {});
      return watch;
    });
    const seen = (status: string) =>
      new Promise<void>((resolve) => {
        const check = () => (Object.values(statuses).every((s) => s.includes(status)) ? resolve() : setTimeout(check, 5));
        check();
      });
    await seen("SERVING");

    const { reply: inFlight, arrived } = holding(() => call(client, "Command", HOLD));
    await arrived;
    expect(server.inFlight).toBe(1);
    let stopped = false;
    const stopping = server.shutdown().then(() => (stopped = true));
    expect(server.shutdown()).toBe(server.shutdown());
    await seen("NOT_SERVING");
    await expect(call(client, "Connect", CONNECT)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    expect(stopped).toBe(false);
    held.releaseAll();
    expect(await inFlight).toMatchObject({
      status: Status.SUCCESS,
      transmissions: ['{"identifier":"{\\"channel\\":\\"hold\\"}","message":{"released":true}}'],
    });
    await stopping;
    expect(server.inFlight).toBe(0);
    expect(logs.at("info").map((l) => l.msg)).toEqual(expect.arrayContaining(["draining RPC server", "RPC server stopped"]));
    expect(logs.at("warn")).toEqual([]);
    for (const watch of watches) watch.cancel();
    health.close();
  });

  it("cuts a call still running at the shutdown timeout, and warns", async () => {
    const { server, client, logs } = await serve({ config: { shutdownTimeoutSeconds: 0.3 } });
    const { reply, arrived } = holding(() => call(client, "Command", HOLD));
    reply.catch(() => {});
    await arrived;
    await server.shutdown();
    // Its client hears at once, with a status anycable-go retries elsewhere (grpc-js's forceShutdown
    // alone left it waiting: with channelz off it cuts no connection).
    await expect(reply).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE, details: "Command cut: the RPC server is shutting down" });
    expect(logs.at("warn").find((l) => l.msg === "shutdown timeout reached, cutting the calls still running")).toMatchObject({
      inFlight: 1,
    });
    // The handler finishing afterwards answers no one, and the call counts as finished.
    held.releaseAll();
    await new Promise((resolve) => setImmediate(resolve));
    expect(server.inFlight).toBe(0);
    expect(logs.at("error")).toEqual([]);
  });
});
