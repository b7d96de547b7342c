// The gRPC surface as any client sees it: health, statuses, concurrency, message limits, draining.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { createRequire } from "node:module";
import { rpcClientConstructor } from "../../../src/rpc/grpc/proto.js";
import { startRpcServer, type RunningRpcServer } from "../../../src/rpc/start-server.js";
import { Status } from "../../../src/rpc/messages.js";
import { silentLogger } from "../../../src/logging/logger.js";
import app from "../../fixtures/chat-app.js";
import { RecordingBroadcaster } from "../../fixtures/recording-broadcaster.js";

type Unary = (
  request: object,
  metadata: grpc.Metadata,
  callback: (error: grpc.ServiceError | null, response: Record<string, unknown>) => void,
) => void;

const require = createRequire(import.meta.url);
const healthProto = protoLoader.loadSync(require.resolve("grpc-health-check/proto/health/v1/health.proto"), {
  keepCase: true,
  enums: String,
  defaults: true,
});
const HealthClient = (
  grpc.loadPackageDefinition(healthProto) as unknown as { grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } } }
).grpc.health.v1.Health;

let running: RunningRpcServer;
let client: grpc.Client & Record<string, Unary>;
let health: grpc.Client & Record<string, Unary | ((request: object) => grpc.ClientReadableStream<{ status: string }>)>;

function metadata(sid = "sid-it", protov = "v1"): grpc.Metadata {
  const m = new grpc.Metadata();
  m.set("sid", sid);
  m.set("protov", protov);
  return m;
}

function call(method: "Connect" | "Command" | "Disconnect", request: object, meta = metadata()): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    client[method]!(request, meta, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

const ROOM = '{"channel":"chat","room":"lobby"}';
const perform = (data: object) => ({
  command: "message",
  identifier: ROOM,
  connection_identifiers: '{"user":"ann"}',
  data: JSON.stringify(data),
  env: { url: "http://x/cable", headers: {} },
});

beforeEach(async () => {
  running = await startRpcServer({
    app,
    broadcaster: new RecordingBroadcaster(),
    logger: silentLogger(),
    config: { host: "127.0.0.1:0", maxMessageSize: 8 * 1024 * 1024, shutdownTimeoutSeconds: 5 },
    env: {},
  });
  const RPC = rpcClientConstructor();
  client = new RPC(`127.0.0.1:${running.port}`, grpc.credentials.createInsecure(), {
    "grpc.max_send_message_length": 64 * 1024 * 1024,
    "grpc.max_receive_message_length": 64 * 1024 * 1024,
  }) as unknown as typeof client;
  health = new HealthClient(`127.0.0.1:${running.port}`, grpc.credentials.createInsecure()) as unknown as typeof health;
});

afterEach(async () => {
  client.close();
  health.close();
  await running.stop();
});

describe("the gRPC server", () => {
  it("reports SERVING for the whole server and anycable.RPC, NOT_FOUND for anything else", async () => {
    const check = (service: string) =>
      new Promise<{ status?: string; code?: number }>((resolve) => {
        (health.Check as Unary)({ service }, new grpc.Metadata(), (error, response) =>
          resolve(error ? { code: error.code } : { status: response.status as string }),
        );
      });
    expect(await check("")).toEqual({ status: "SERVING" });
    expect(await check("anycable.RPC")).toEqual({ status: "SERVING" });
    expect(await check("other.Service")).toEqual({ code: grpc.status.NOT_FOUND });
  });

  it("always sets the status on the wire, including ERROR", async () => {
    const ok = await call("Connect", { env: { url: "http://x/cable", headers: { cookie: "user=ann" } } });
    expect(ok.status).toBe(Status.SUCCESS);
    const refused = await call("Command", { command: "bogus" });
    expect(refused.status).toBe(Status.ERROR);
    expect(refused.error_msg).toMatch(/Unknown command/);
  });

  it("checks protov metadata like the Ruby server", async () => {
    const res = await call("Connect", { env: { headers: { cookie: "user=ann" } } }, metadata("s", "v2"));
    expect(res.status).toBe(Status.ERROR);
    expect(res.error_msg).toMatch(/Incompatible/);
  });

  it("answers far more than 28 calls in flight on one HTTP/2 connection", async () => {
    const calls = Array.from({ length: 300 }, (_, i) => call("Command", perform({ action: "slow", ms: 50 }), metadata(`s${i}`)));
    const results = await Promise.all(calls);
    expect(results.every((r) => r.status === Status.SUCCESS)).toBe(true);
    expect(results[299]!.transmissions).toEqual([JSON.stringify({ identifier: ROOM, message: { slept: 50 } })]);
  });

  it("accepts a message of several MiB and refuses one over the limit with RESOURCE_EXHAUSTED", async () => {
    const big = await call("Command", perform({ action: "speak", message: "x".repeat(5 * 1024 * 1024) }));
    expect(big.status).toBe(Status.ERROR);
    expect(big.error_msg).toMatch(/Invalid data for chat#speak: message/);
    await expect(call("Command", perform({ action: "speak", message: "x".repeat(9 * 1024 * 1024) }))).rejects.toMatchObject({
      code: grpc.status.RESOURCE_EXHAUSTED,
    });
    // and keeps serving
    expect((await call("Command", perform({ action: "speak", message: "still here" }))).status).toBe(Status.SUCCESS);
  });

  it("drains on shutdown: health turns NOT_SERVING, the call in flight finishes, new calls are refused", async () => {
    const statuses: string[] = [];
    const watch = (health.Watch as (r: object) => grpc.ClientReadableStream<{ status: string }>)({ service: "anycable.RPC" });
    watch.on("data", (m) => statuses.push(m.status));
    watch.on("error", () => {});
    await new Promise((r) => setTimeout(r, 100));
    const inFlight = call("Command", perform({ action: "slow", ms: 400 }));
    await new Promise((r) => setTimeout(r, 100));
    const stopped = running.stop();
    await new Promise((r) => setTimeout(r, 50));
    await expect(call("Command", perform({ action: "speak", message: "late" }))).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    const finished = await inFlight;
    expect(finished.status).toBe(Status.SUCCESS);
    expect(finished.transmissions).toEqual([JSON.stringify({ identifier: ROOM, message: { slept: 400 } })]);
    await stopped;
    expect(statuses).toEqual(["SERVING", "NOT_SERVING"]);
  });
});
