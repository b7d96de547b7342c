// startRpcServer: the transport the configuration names, the built-in channels beside the
// application's, and a stop that drains, lets the last calls' end-of-turn work and the
// application's close() run, then closes the broadcaster, once.
import { afterEach, describe, expect, it } from "vitest";
import { defineApplication } from "../../../src/cable/application.js";
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

  it("runs the application's close() after the drain and before the broadcaster closes", async () => {
    const broadcaster = new RecordingBroadcaster();
    const order: string[] = [];
    const closing = defineApplication({
      connection: app.connection,
      channels: app.channels,
      close: () => {
        order.push(`application closed; server in flight: ${server.server.inFlight}, broadcaster closed: ${broadcaster.closed}`);
      },
    });
    const server = await startRpcServer({
      app: closing,
      broadcaster,
      logger: captureLogger().logger,
      env: { ANYCABLE_RPC_HOST: "127.0.0.1:0" },
    });
    const shutdown = server.server.shutdown.bind(server.server);
    server.server.shutdown = async () => {
      await shutdown();
      order.push("server drained");
    };
    await server.stop();
    await server.stop();
    expect(order).toEqual(["server drained", "application closed; server in flight: 0, broadcaster closed: false"]);
    expect(broadcaster.closed).toBe(true);
  });

  it("logs an application close() that fails and closes the broadcaster all the same", async () => {
    const broadcaster = new RecordingBroadcaster();
    const logs = captureLogger();
    const failing = defineApplication({
      connection: app.connection,
      channels: app.channels,
      close: async () => {
        throw new Error("registry already gone");
      },
    });
    const server = await startRpcServer({ app: failing, broadcaster, logger: logs.logger, env: { ANYCABLE_RPC_HOST: "127.0.0.1:0" } });
    await server.stop();
    expect(broadcaster.closed).toBe(true);
    expect(logs.at("error")).toEqual([
      expect.objectContaining({
        msg: "the application's close() failed; closing the broadcaster anyway",
        err: expect.objectContaining({ message: "registry already gone" }),
      }),
    ]);
  });

  it("waits for an application close() no longer than the shutdown timeout, then closes the broadcaster all the same", async () => {
    const broadcaster = new RecordingBroadcaster();
    const logs = captureLogger();
    const hanging = defineApplication({ connection: app.connection, channels: app.channels, close: () => new Promise<void>(() => {}) });
    const server = await startRpcServer({
      app: hanging,
      broadcaster,
      logger: logs.logger,
      env: { ANYCABLE_RPC_HOST: "127.0.0.1:0" },
      config: { shutdownTimeoutSeconds: 0.05 },
    });
    await server.stop();
    expect(broadcaster.closed).toBe(true);
    expect(logs.at("error")).toEqual([
      expect.objectContaining({
        msg: "the application's close() did not finish within ANYCABLE_RPC_SHUTDOWN_TIMEOUT; closing the broadcaster anyway",
        shutdownTimeoutSeconds: 0.05,
      }),
    ]);
  });

  it("logs nothing when the application's close() finishes in time", async () => {
    const logs = captureLogger();
    const quick = defineApplication({ connection: app.connection, channels: app.channels, close: () => undefined });
    const server = await startRpcServer({
      app: quick,
      broadcaster: new RecordingBroadcaster(),
      logger: logs.logger,
      env: { ANYCABLE_RPC_HOST: "127.0.0.1:0" },
    });
    await server.stop();
    expect(logs.at("error")).toEqual([]);
  });

  it("lets a broadcast the last call left for the end of its turn reach the broadcaster, however soon the drain ends", async () => {
    const broadcaster = new RecordingBroadcaster();
    const server = await startRpcServer({ app, broadcaster, logger: captureLogger().logger, env: { ANYCABLE_RPC_HOST: "127.0.0.1:0" } });
    const shutdown = server.server.shutdown.bind(server.server);
    const seenClosed: boolean[] = [];
    // The last call answered in the turn the drain ends in, its batch queued for the end of that turn.
    server.server.shutdown = async () => {
      await shutdown();
      setImmediate(() => {
        seenClosed.push(broadcaster.closed);
        void broadcaster.broadcast("calls", { ended: true });
      });
    };
    await server.stop();
    expect(seenClosed).toEqual([false]);
    expect(broadcaster.messagesTo("calls")).toEqual([{ ended: true }]);
  });
});
