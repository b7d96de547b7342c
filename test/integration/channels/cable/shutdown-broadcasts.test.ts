// SIGTERM while the media stream of a call is being disconnected: the call's end still reaches
// the dashboards. The real path: the call monitor application behind the gRPC server, stopped by
// the framework's signal handling, broadcasting through a real NATS to a subscriber on the
// subject anycable-go listens to. The Disconnect is held in the registry until the drain began.
import * as grpc from "@grpc/grpc-js";
import { connect, type NatsConnection } from "nats";
import { afterEach, describe, expect, it } from "vitest";
import { createBroadcaster, loadBroadcastConfig, runProcess } from "../../../../src/index.js";
import { rpcClientConstructor } from "../../../../src/rpc/grpc/proto.js";
import { startRpcServer } from "../../../../src/rpc/start-server.js";
import { createCallMonitorApplication } from "../../../../channels/app.js";
import { MemoryCallRegistry } from "../../../../channels/calls/memory-call-registry.js";
import { CALLS_STREAM } from "../../../../channels/views/live-regions.js";
import { APP_ENV, CALL_SID, identifierFor } from "../../../unit/channels/support/call-monitor-rpc.js";
import { captureLogger, FakeProcess, startNats, waitFor, type NatsServer } from "../../../support/index.js";

type Reply = Record<string, unknown>;
type Unary = (request: object, metadata: grpc.Metadata, callback: (error: grpc.ServiceError | null, response: Reply) => void) => void;
type RpcClient = grpc.Client & Record<"Command" | "Disconnect", Unary>;

/** A registry whose callStopped waits inside until the test lets it go: a Disconnect in flight. */
class HeldStopRegistry extends MemoryCallRegistry {
  readonly #arrivals: Array<() => void> = [];
  readonly #releases: Array<() => void> = [];

  override async callStopped(sid: string): Promise<boolean> {
    for (const arrived of this.#arrivals.splice(0)) arrived();
    await new Promise<void>((resolve) => this.#releases.push(resolve));
    return super.callStopped(sid);
  }

  arrived(): Promise<void> {
    return new Promise((resolve) => this.#arrivals.push(resolve));
  }

  release(): void {
    for (const release of this.#releases.splice(0)) release();
  }
}

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Every publication anycable-go would get on `subject`, flattened from batches. */
async function listen(nats: NatsServer): Promise<{ streams: () => Array<{ stream: string; data: string }> }> {
  const connection: NatsConnection = await connect({ servers: nats.url });
  cleanups.push(() => connection.close());
  const received: Array<{ stream: string; data: string }> = [];
  const subscription = connection.subscribe("__anycable__");
  void (async () => {
    for await (const message of subscription) {
      const payload = JSON.parse(message.string()) as { stream: string; data: string } | Array<{ stream: string; data: string }>;
      received.push(...(Array.isArray(payload) ? payload : [payload]));
    }
  })();
  await connection.flush();
  return { streams: () => received };
}

function call(client: RpcClient, method: "Command" | "Disconnect", request: object): Promise<Reply> {
  const metadata = new grpc.Metadata();
  metadata.set("sid", "bridge-session");
  metadata.set("protov", "v1");
  return new Promise((resolve, reject) => client[method](request, metadata, (error, reply) => (error ? reject(error) : resolve(reply))));
}

describe("the call monitor's RPC process on SIGTERM", () => {
  it("sends a call's end, from a Disconnect in flight when the signal came, before it closes the broadcaster", async () => {
    const nats = await startNats();
    cleanups.push(() => nats.stop());
    const broker = await listen(nats);
    const logs = captureLogger();
    const broadcaster = createBroadcaster(
      loadBroadcastConfig({ ANYCABLE_BROADCAST_ADAPTER: "nats", ANYCABLE_NATS_SERVERS: nats.url }),
      logs.logger,
    );
    const registry = new HeldStopRegistry();
    const app = createCallMonitorApplication({ env: APP_ENV, logger: logs.logger, registry });
    const host = new FakeProcess();
    const exitCode = runProcess({
      name: "rpc",
      process: host,
      logger: logs.logger,
      start: ({ logger }) => startRpcServer({ app, broadcaster, logger, config: { host: "127.0.0.1:0" }, env: {} }),
    });
    await waitFor(() => logs.lines.some((line) => line.msg === "channels registered"), { description: "the RPC server to listen" });
    const port = Number(logs.lines.find((line) => line.msg === "AnyCable RPC server listening")?.port);
    const RPC = rpcClientConstructor();
    const client = new RPC(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as RpcClient;
    cleanups.push(() => client.close());

    const identifiers = JSON.stringify({ role: "twilio", callSid: CALL_SID });
    const env = { url: "http://localhost:8080/cable", headers: {} };
    await call(client, "Command", { command: "subscribe", identifier: identifierFor(CALL_SID), connection_identifiers: identifiers, env });
    await waitFor(() => broker.streams().some((p) => p.stream === CALLS_STREAM), { description: "the call listed on the dashboards" });

    const arrived = registry.arrived();
    const disconnected = call(client, "Disconnect", { identifiers, subscriptions: [identifierFor(CALL_SID)], env });
    await arrived;
    host.signal("SIGTERM");
    expect(logs.lines.some((line) => line.msg === "draining RPC server")).toBe(true);
    registry.release();

    expect(await disconnected).toMatchObject({ status: 1 });
    expect(await exitCode).toBe(0);
    const removals = () =>
      broker
        .streams()
        .filter((p) => p.stream === CALLS_STREAM)
        .flatMap((p) => (JSON.parse(p.data) as { operations: Array<{ operation: string; selector?: string }> }).operations)
        .filter((op) => op.operation === "remove");
    // Flushed to the broker before the process ended; the subscriber reads it a moment later.
    await waitFor(() => removals().length > 0, { description: "the call's removal from the dashboards' list" });
    expect(removals()).toEqual([expect.objectContaining({ selector: `#call_${CALL_SID}` })]);
    expect(logs.lines.filter((line) => line.level >= 50)).toEqual([]);
  });
});
