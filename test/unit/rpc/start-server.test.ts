// startRpcServer: the transport the configuration names, the built-in channels beside the
// application's, and a stop that drains before it closes the broadcaster, once.
import { afterEach, describe, expect, it } from "vitest";
import { RpcServer } from "../../../src/rpc/grpc/server.js";
import { HttpRpcServer } from "../../../src/rpc/http/server.js";
import { startRpcServer, type RunningRpcServer } from "../../../src/rpc/start-server.js";
import app from "../../fixtures/chat-app.js";
import { RecordingBroadcaster } from "../../fixtures/recording-broadcaster.js";
import { captureLogger } from "../../support/capture-logger.js";

const running: RunningRpcServer[] = [];

afterEach(async () => {
  for (const server of running.splice(0)) await server.stop();
});

describe("startRpcServer", () => {
  it("serves gRPC by default, on the host from the env unless the config overrides it", async () => {
    const logs = captureLogger();
    const server = await startRpcServer({
      app,
      broadcaster: new RecordingBroadcaster(),
      logger: logs.logger,
      env: { ANYCABLE_RPC_HOST: "127.0.0.1:1", ANYCABLE_RPC_SHUTDOWN_TIMEOUT: "3" },
      config: { host: "127.0.0.1:0" },
    });
    running.push(server);
    expect(server.server).toBeInstanceOf(RpcServer);
    expect(server.port).toBe(server.server.port);
    expect(server.port).not.toBe(1);
    expect(logs.at("info").find((l) => l.msg === "channels registered")).toMatchObject({
      channels: ["chat", "EchoChannel", "CableReady::Stream"],
    });
    expect(server.handler.registry.names).toEqual(["chat", "EchoChannel", "CableReady::Stream"]);
  });

  it("serves HTTP when the env's ANYCABLE_RPC_HOST is an http:// URL", async () => {
    const server = await startRpcServer({
      app,
      broadcaster: new RecordingBroadcaster(),
      logger: captureLogger().logger,
      env: { ANYCABLE_RPC_HOST: "http://127.0.0.1:0/_anycable", ANYCABLE_HTTP_RPC_SECRET: "none" },
    });
    running.push(server);
    expect(server.server).toBeInstanceOf(HttpRpcServer);
    const health = await fetch(`http://127.0.0.1:${server.port}/health`);
    expect(await health.json()).toEqual({ status: "SERVING" });
  });

  it("takes the Cable Ready secret from the cableReady option", async () => {
    const logs = captureLogger();
    const server = await startRpcServer({
      app,
      broadcaster: new RecordingBroadcaster(),
      logger: logs.logger,
      env: { ANYCABLE_RPC_HOST: "127.0.0.1:0" },
      cableReady: { secret: undefined },
    });
    running.push(server);
    expect(logs.at("info").some((l) => l.msg.startsWith("no ANYCABLE_CABLE_READY_SECRET"))).toBe(true);
  });

  it("stops the server before it closes the broadcaster, once however often it is called", async () => {
    const broadcaster = new RecordingBroadcaster();
    const logs = captureLogger();
    const server = await startRpcServer({ app, broadcaster, logger: logs.logger, env: { ANYCABLE_RPC_HOST: "127.0.0.1:0" } });
    const order: string[] = [];
    const shutdown = server.server.shutdown.bind(server.server);
    server.server.shutdown = async () => {
      await shutdown();
      order.push(`server stopped, broadcaster closed: ${broadcaster.closed}`);
    };
    const first = server.stop();
    expect(server.stop()).toBe(first);
    await first;
    await server.stop();
    expect(order).toEqual(["server stopped, broadcaster closed: false"]);
    expect(broadcaster.closed).toBe(true);
    expect(logs.at("info").filter((l) => l.msg === "RPC server stopped")).toHaveLength(1);
  });
});
