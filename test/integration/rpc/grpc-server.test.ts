// The gRPC surface as any client sees it: health, statuses, concurrency, message limits, draining.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { createRequire } from "node:module";
import { rpcClientConstructor } from "../../../src/rpc/grpc/proto.js";
import { startRpcServer, type RunningRpcServer } from "../../../src/rpc/start-server.js";
import { Status } from "../../../src/rpc/messages.js";
import { silentLogger } from "../../../src/logging/logger.js";
import { Channel, defineApplication, z, type ChannelClass } from "../../../src/index.js";
import chatApp, { ChatConnection } from "../../fixtures/chat-app.js";
import { RecordingBroadcaster } from "../../fixtures/recording-broadcaster.js";
import { readFileSync } from "node:fs";
import { waitFor, withTimeout } from "../../support/wait.js";

type Unary = (
  request: object,
  metadata: grpc.Metadata,
  callback: (error: grpc.ServiceError | null, response: Record<string, unknown>) => void,
) => void;

/**
 * Calls that wait inside the channel until the test lets them go, so a test can see how many
 * calls the server runs at once and hold one in flight without guessing durations.
 */
const gate = {
  entered: 0,
  arrivals: [] as Array<() => void>,
  releases: [] as Array<() => void>,
  reset() {
    this.entered = 0;
    this.arrivals = [];
    this.releases = [];
  },
  /** Resolves once `count` calls are inside the channel at the same time. */
  reached(count: number): Promise<void> {
    if (this.entered >= count) return Promise.resolve();
    return new Promise((resolve) => this.arrivals.push(() => this.entered >= count && resolve()));
  },
  async enter(): Promise<void> {
    this.entered += 1;
    for (const arrived of this.arrivals) arrived();
    await new Promise<void>((resolve) => this.releases.push(resolve));
  },
  releaseAll() {
    for (const release of this.releases.splice(0)) release();
  },
};

class GateChannel extends Channel {
  static override identifier = "gate";
  static override actions = { hold: z.object({}), gather: z.object({ expected: z.number().int().positive() }) };

  /** Waits until the test releases it. */
  async hold(): Promise<void> {
    await gate.enter();
    this.transmit({ released: true });
  }

  /** Waits until `expected` calls are inside at once, then lets them all go. */
  async gather(data: { expected: number }): Promise<void> {
    const entering = gate.enter();
    if (gate.entered >= data.expected) gate.releaseAll();
    await entering;
    this.transmit({ gathered: data.expected });
  }
}

// Typed as a plain list: defineApplication checks action methods per element of a literal tuple,
// and a spread of a non-tuple array has no elements to check.
const channels: readonly ChannelClass[] = [...chatApp.channels, GateChannel];
const app = defineApplication({ connection: ChatConnection, channels });
const GATE = '{"channel":"gate"}';
const atGate = (data: object) => ({ ...perform(data), identifier: GATE });

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
  gate.reset();
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
    // Each call waits inside the channel until all 300 are there at once: a server that ran
    // fewer at a time (max_concurrent_streams, a queue) would never get them all in.
    const calls = Array.from({ length: 300 }, (_, i) => call("Command", atGate({ action: "gather", expected: 300 }), metadata(`s${i}`)));
    await withTimeout(gate.reached(300), 30_000, `300 calls in flight at once (${gate.entered} got in)`);
    const results = await Promise.all(calls);
    expect(results.every((r) => r.status === Status.SUCCESS)).toBe(true);
    expect(results[299]!.transmissions).toEqual([JSON.stringify({ identifier: GATE, message: { gathered: 300 } })]);
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
    const seen = (status: string) =>
      new Promise<void>((resolve) => {
        if (statuses.includes(status)) return resolve();
        watch.on("data", (m) => m.status === status && resolve());
      });
    watch.on("data", (m) => statuses.push(m.status));
    watch.on("error", () => {});
    await seen("SERVING");
    const inFlight = call("Command", atGate({ action: "hold" }));
    await gate.reached(1);
    let done = false;
    const stopped = running.stop().then(() => (done = true));
    await seen("NOT_SERVING");
    await expect(call("Command", perform({ action: "speak", message: "late" }))).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    // The held call outlives the server's 200 ms idle grace: draining must wait for it, however
    // long it takes. (This wait can only make the check stricter, never fail a correct server.)
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(done).toBe(false);
    gate.releaseAll();
    const finished = await inFlight;
    expect(finished.status).toBe(Status.SUCCESS);
    expect(finished.transmissions).toEqual([JSON.stringify({ identifier: GATE, message: { released: true } })]);
    await stopped;
    expect(statuses).toEqual(["SERVING", "NOT_SERVING"]);
  });

  it("ends its health Watch streams when it stops: NOT_SERVING first, then UNAVAILABLE, and lets the connection close", async () => {
    const watch = (service: string) => {
      const stream = (health.Watch as (r: object) => grpc.ClientReadableStream<{ status: string }>)({ service });
      const statuses: string[] = [];
      stream.on("data", (m: { status: string }) => statuses.push(m.status));
      stream.on("error", () => {});
      const ended = new Promise<grpc.StatusObject>((resolve) => stream.on("status", resolve));
      return { statuses, ended };
    };
    const server = watch("");
    const unknown = watch("not.a.Service");
    await waitFor(() => server.statuses.length === 1 && unknown.statuses.length === 1, {
      timeoutMs: 5_000,
      description: "the first statuses",
    });
    await running.stop();
    const [serverEnd, unknownEnd] = await withTimeout(Promise.all([server.ended, unknown.ended]), 5_000, "the health watches to end");
    expect(server.statuses).toEqual(["SERVING", "NOT_SERVING"]);
    expect(unknown.statuses).toEqual(["SERVICE_UNKNOWN"]);
    for (const end of [serverEnd, unknownEnd]) {
      expect(end).toMatchObject({ code: grpc.status.UNAVAILABLE, details: "the RPC server is shutting down" });
    }
    // A watcher kept its connection, and so the process, alive: the server must now hold none.
    await waitFor(() => !establishedOn(running.port!), { timeoutMs: 5_000, description: "the server's connections to close" });
  });
});

/** Whether a TCP connection of this host's IPv4 loopback is established on local port `port` (the server's side). */
function establishedOn(port: number): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  return readFileSync("/proc/net/tcp", "utf8")
    .split("\n")
    .slice(1)
    .some((line) => {
      const [, local, , state] = line.trim().split(/\s+/);
      return local?.endsWith(`:${hexPort}`) === true && state === "01";
    });
}
