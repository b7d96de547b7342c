// One server under test per process, so it can be pinned to a core and its CPU time read from
// /proc without the runner's own work mixed in. Configured by BENCH_CHILD_CONFIG; talks to the
// runner over IPC: "ready" once listening, "mem" on request, "stop" to drain and exit.
import { createServer as createH2Server, constants as h2 } from "node:http2";
import { getHeapSpaceStatistics } from "node:v8";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import * as grpc from "@grpc/grpc-js";
import { serve } from "@hono/node-server";
import {
  createBroadcaster,
  createLogger,
  grpcServerOptions,
  loadBroadcastConfig,
  loadRpcConfig,
  resolveApplication,
  rpcServiceDefinition,
  startRpcServer,
  type Broadcaster,
} from "anycable-ts";
import { BRIDGE_CREDENTIAL_HEADER } from "../../channels/cable/protocol.js";

export type BroadcastChoice = { adapter: "none" } | { adapter: "nats"; url: string };

export type ServerConfig =
  /** grpc-js serving anycable.RPC with canned responses: the floor any grpc-js server pays. */
  | { kind: "bare"; host: string; responses: CannedResponses }
  /**
   * grpc-js serving anycable.RPC with nothing behind it, answering each storm call what ours
   * answers for it (a welcome with the session's sid, the caller's identifiers, a confirmation
   * echoing the identifier): the limit of any grpc-js RPC server under anycable-go's storm traffic.
   */
  | { kind: "echo"; host: string }
  /** node:http2 answering every stream with one canned gRPC frame: a ceiling for the load driver. */
  | { kind: "raw-h2"; host: string; frameBase64: string }
  /** Our RPC server with the real application, set up as `npm run rpc` sets it up; over HTTP RPC when `http` is set. */
  | {
      kind: "ours";
      host: string;
      http?: { mountPath: string; secret: string } | undefined;
      app: string;
      broadcast: BroadcastChoice;
      logLevel: string;
      env: Record<string, string>;
    }
  /** The same channel logic on @anycable/serverless-js behind an HTTP server. */
  | {
      kind: "peer";
      hostname: string;
      port: number;
      broadcast: BroadcastChoice;
      logLevel: string;
      accountSid: string;
      bridgeSecret: string;
    };

export interface CannedResponses {
  Connect: unknown;
  subscribe: unknown;
  message: unknown;
  unsubscribe: unknown;
  Disconnect: unknown;
}

type Stop = () => Promise<void>;

/** TCP connections accepted by an HTTP-RPC server: anycable-go's HTTP client keeps few alive. */
let acceptedConnections: number | null = null;

const send = (message: Record<string, unknown>): void => {
  process.send?.(message);
};

class NoopBroadcaster implements Broadcaster {
  broadcast(): Promise<void> {
    return Promise.resolve();
  }
  broadcastMany(): Promise<void> {
    return Promise.resolve();
  }
  broadcastCommand(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

async function broadcasterFor(choice: BroadcastChoice, logger: ReturnType<typeof createLogger>): Promise<Broadcaster> {
  if (choice.adapter === "none") return new NoopBroadcaster();
  return createBroadcaster(loadBroadcastConfig({ ANYCABLE_BROADCAST_ADAPTER: "nats", ANYCABLE_NATS_SERVERS: choice.url }), logger);
}

async function startBare(config: Extract<ServerConfig, { kind: "bare" }>): Promise<{ port: number; stop: Stop }> {
  // The same server options as ours (message limits, no channelz), so the ratio is the framework's cost alone.
  const server = new grpc.Server(grpcServerOptions(loadRpcConfig({})));
  const r = config.responses;
  const reply =
    (pick: (request: { command?: string }) => unknown) =>
    (call: grpc.ServerUnaryCall<{ command?: string }, unknown>, callback: grpc.sendUnaryData<unknown>): void =>
      callback(null, pick(call.request));
  server.addService(rpcServiceDefinition(), {
    Connect: reply(() => r.Connect),
    Command: reply((request) =>
      request.command === "subscribe" ? r.subscribe : request.command === "unsubscribe" ? r.unsubscribe : r.message,
    ),
    Disconnect: reply(() => r.Disconnect),
  });
  const port = await new Promise<number>((ok, fail) =>
    server.bindAsync(config.host, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? fail(error) : ok(bound))),
  );
  return { port, stop: () => new Promise((done) => server.tryShutdown(() => done())) };
}

interface EchoRequest {
  command?: string;
  identifier?: string;
  env?: { headers?: Record<string, string> };
}

async function startEcho(config: Extract<ServerConfig, { kind: "echo" }>): Promise<{ port: number; stop: Stop }> {
  const server = new grpc.Server(grpcServerOptions(loadRpcConfig({})));
  const sessionOf = (call: grpc.ServerUnaryCall<EchoRequest, unknown>): string => String(call.metadata.get("sid")[0] ?? "");
  // Template strings only: the CallSid sits between the first two dots of the bridge credential
  // (v1.<CallSid>.<issued>.<mac>), and no field of a storm call is checked. protobufjs writes every
  // field that is set, defaults included, so the fields set here are the ones ours sets: the
  // replies are the same bytes as ours (the storm checks every h2load run's byte count).
  server.addService(rpcServiceDefinition(), {
    Connect: (call: grpc.ServerUnaryCall<EchoRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const callSid = call.request.env?.headers?.[BRIDGE_CREDENTIAL_HEADER]?.split(".")[1] ?? "";
      callback(null, {
        status: 1,
        identifiers: `{"role":"twilio","callSid":"${callSid}"}`,
        transmissions: [`{"type":"welcome","sid":"${sessionOf(call)}"}`],
        error_msg: "",
      });
    },
    Command: (call: grpc.ServerUnaryCall<EchoRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const { command, identifier = "" } = call.request;
      callback(
        null,
        command === "subscribe"
          ? {
              status: 1,
              transmissions: [`{"identifier":${JSON.stringify(identifier)},"type":"confirm_subscription"}`],
              disconnect: false,
              stop_streams: false,
              error_msg: "",
            }
          : { status: 1, disconnect: false, stop_streams: false, error_msg: "" },
      );
    },
    Disconnect: (_call: grpc.ServerUnaryCall<EchoRequest, unknown>, callback: grpc.sendUnaryData<unknown>) =>
      callback(null, { status: 1, error_msg: "" }),
  });
  const port = await new Promise<number>((ok, fail) =>
    server.bindAsync(config.host, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? fail(error) : ok(bound))),
  );
  return { port, stop: () => new Promise((done) => server.tryShutdown(() => done())) };
}

async function startRawH2(config: Extract<ServerConfig, { kind: "raw-h2" }>): Promise<{ port: number; stop: Stop }> {
  const frame = Buffer.from(config.frameBase64, "base64");
  const server = createH2Server();
  server.on("stream", (stream) => {
    // Read the request to its end, as a gRPC server must, then answer with headers, one frame, trailers.
    stream.resume();
    stream.on("end", () => {
      stream.respond({ [h2.HTTP2_HEADER_STATUS]: 200, "content-type": "application/grpc" }, { waitForTrailers: true });
      stream.once("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
      stream.end(frame);
    });
  });
  const [hostname, portText] = splitHost(config.host);
  await new Promise<void>((ok) => server.listen(Number(portText), hostname, ok));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { port, stop: () => new Promise((done) => server.close(() => done())) };
}

async function startOurs(config: Extract<ServerConfig, { kind: "ours" }>): Promise<{ port: number; stop: Stop }> {
  const env = { ...config.env };
  const logger = createLogger({ name: "rpc", level: config.logLevel as "info", pretty: false }, env);
  const broadcaster = await broadcasterFor(config.broadcast, logger);
  const imported = (await import(pathToFileURL(resolve(config.app)).href)) as { default?: unknown };
  const app = await resolveApplication(imported.default, { env, logger, broadcaster }, config.app);
  const running = await startRpcServer({
    app,
    broadcaster,
    logger,
    config: config.http
      ? {
          host: config.host,
          transport: "http",
          http: { mountPath: config.http.mountPath, secret: config.http.secret, secretSource: "ANYCABLE_HTTP_RPC_SECRET" },
        }
      : { host: config.host },
    env,
  });
  return { port: running.port, stop: () => running.stop() };
}

async function startPeer(config: Extract<ServerConfig, { kind: "peer" }>): Promise<{ port: number; stop: Stop }> {
  const logger = createLogger({ name: "peer", level: config.logLevel as "info", pretty: false }, {});
  const broadcaster = await broadcasterFor(config.broadcast, logger);
  // Imported here, not at the top: @anycable/serverless-js's ES build imports directories, which
  // only a loader such as tsx resolves, and the compiled server child (plain node) never runs the peer.
  const { handler: serverlessHandler, Status: ServerlessStatus } = await import("@anycable/serverless-js");
  const { createPeerApplication } = await import("./peer-app.js");
  const app = createPeerApplication({ accountSid: config.accountSid, bridgeSecret: config.bridgeSecret, broadcaster, logger });
  const server = await new Promise<ReturnType<typeof serve>>((ok) => {
    const s = serve(
      {
        hostname: config.hostname,
        port: config.port,
        // The README's universal handler, with its error fallback.
        fetch: async (request: Request) => {
          try {
            return Response.json(await serverlessHandler(request, app));
          } catch (error) {
            logger.error({ err: error }, "RPC failed");
            return Response.json({ status: ServerlessStatus.ERROR, error_msg: "Server error" });
          }
        },
      },
      () => ok(s),
    );
  });
  acceptedConnections = 0;
  server.on("connection", () => {
    acceptedConnections = (acceptedConnections ?? 0) + 1;
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    stop: async () => {
      await new Promise<void>((done) => server.close(() => done()));
      await broadcaster.close();
    },
  };
}

function splitHost(host: string): [string, string] {
  const at = host.lastIndexOf(":");
  return [host.slice(0, at), host.slice(at + 1)];
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.BENCH_CHILD_CONFIG ?? "{}") as ServerConfig;
  let started: { port: number; stop: Stop };
  try {
    switch (config.kind) {
      case "bare":
        started = await startBare(config);
        break;
      case "echo":
        started = await startEcho(config);
        break;
      case "raw-h2":
        started = await startRawH2(config);
        break;
      case "ours":
        started = await startOurs(config);
        break;
      case "peer":
        started = await startPeer(config);
        break;
      default:
        throw new Error(`unknown server kind ${JSON.stringify((config as { kind?: unknown }).kind)}`);
    }
  } catch (error) {
    send({ type: "fatal", message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exit(1);
  }
  let stopping = false;
  process.on("message", (message: { type?: string }) => {
    if (message.type === "mem") {
      const gc = (globalThis as { gc?: () => void }).gc;
      // Twice: the first pass can leave objects with finalizers for the second.
      gc?.();
      gc?.();
      const usage = process.memoryUsage();
      send({
        type: "mem",
        gc: gc !== undefined,
        rss: usage.rss,
        heapUsed: usage.heapUsed,
        heapTotal: usage.heapTotal,
        acceptedConnections,
        external: usage.external,
        arrayBuffers: usage.arrayBuffers,
        // The young generation's reservation: what a storm's allocation rate grows and V8 keeps.
        newSpace: getHeapSpaceStatistics().find((space) => space.space_name === "new_space")?.space_size ?? null,
      });
    } else if (message.type === "stop" && !stopping) {
      stopping = true;
      started.stop().finally(() => process.exit(0));
    }
  });
  // The runner going away must not leave this server behind.
  process.on("disconnect", () => process.exit(0));
  send({ type: "ready", port: started.port });
}

await main();
