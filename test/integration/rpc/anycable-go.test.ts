// The framework behind a real, unmodified anycable-go, driven by a real Action Cable client, over
// both RPC transports anycable-go speaks: gRPC and HTTP (JSON POSTs with a bearer secret).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startRpcServer, type RunningRpcServer } from "../../../src/rpc/start-server.js";
import { createBroadcaster, loadBroadcastConfig } from "../../../src/broadcast/index.js";
import { silentLogger } from "../../../src/logging/logger.js";
import app, { journal } from "../../fixtures/chat-app.js";
import { connectCable, createCableClient, openRawSocket, startAnycableGo, waitFor, type AnycableGo } from "../../support/index.js";

/** anycable-go's --secret: both halves derive the HTTP RPC bearer secret from it. */
const APP_SECRET = "integration-app-secret";

interface Transport {
  name: string;
  /** What anycable-go logs at start-up when it speaks this transport. */
  startupLog: RegExp[];
  /** Starts our RPC server and an anycable-go pointed at it. */
  start(): Promise<{ rpc: RunningRpcServer; anycable: AnycableGo }>;
}

async function startRpc(env: NodeJS.ProcessEnv, host: string): Promise<RunningRpcServer> {
  // The RPC server needs anycable-go's broadcast URL and anycable-go needs the RPC port, so
  // bind RPC first on a free port and point anycable-go at it.
  const logger = silentLogger();
  const placeholder = createBroadcaster(
    loadBroadcastConfig({ ANYCABLE_BROADCAST_ADAPTER: "http", ANYCABLE_HTTP_BROADCAST_URL: "http://127.0.0.1:9/_broadcast" }),
    logger,
  );
  await placeholder.close();
  return startRpcServer({ app, broadcaster: placeholder, logger, env: { ...env, ANYCABLE_RPC_HOST: host } });
}

const TRANSPORTS: Transport[] = [
  {
    name: "gRPC",
    startupLog: [/impl: grpc/],
    async start() {
      const rpc = await startRpc({}, "127.0.0.1:0");
      return { rpc, anycable: await startAnycableGo({ rpcHost: `127.0.0.1:${rpc.port}` }) };
    },
  },
  {
    name: "HTTP RPC",
    startupLog: [/impl: http/, /auto-generated authorization secret from the application secret/],
    async start() {
      // Configured the way a deployment is: the same ANYCABLE_SECRET on both sides, the HTTP RPC
      // secret derived from it by each.
      const rpc = await startRpc({ ANYCABLE_SECRET: APP_SECRET }, "http://127.0.0.1:0/_anycable");
      const anycable = await startAnycableGo({
        rpcHost: `http://127.0.0.1:${rpc.port}/_anycable`,
        args: [`--secret=${APP_SECRET}`],
      });
      return { rpc, anycable };
    },
  },
];

function scenarios(transport: Transport, extra?: (ctx: () => AnycableGo) => void): void {
  describe(`a real anycable-go in front of the RPC server over ${transport.name}`, () => {
    let rpc: RunningRpcServer;
    let anycable: AnycableGo;

    beforeAll(async () => {
      ({ rpc, anycable } = await transport.start());
    });

    afterAll(async () => {
      await anycable?.stop();
      await rpc?.stop();
    });

    beforeEach(() => {
      journal.length = 0;
    });

    it(`is reached by anycable-go over ${transport.name}`, () => {
      for (const line of transport.startupLog) expect(anycable.logs()).toMatch(line);
    });

    it("welcomes an accepted connection with its session id", async () => {
      const socket = await openRawSocket(anycable.url, { headers: { cookie: "user=ann" } });
      const welcome = await socket.waitForType("welcome");
      expect(welcome).toEqual({ type: "welcome", sid: expect.any(String) });
      expect((welcome.sid as string).length).toBeGreaterThan(0);
      await socket.close();
    });

    it("closes a rejected connection with the unauthorized disconnect message", async () => {
      const socket = await openRawSocket(anycable.url, { headers: { cookie: "user=intruder" } });
      const disconnect = await socket.waitForType("disconnect");
      expect(disconnect).toEqual({ type: "disconnect", reason: "unauthorized", reconnect: false });
      const closed = await socket.closed;
      expect(closed.code).toBe(1000);
      expect(socket.messages().some((m) => (m as { type?: string }).type === "welcome")).toBe(false);
    });

    it("confirms and rejects subscriptions and carries perform → transmit", async () => {
      const client = await connectCable(anycable.url, { headers: { cookie: "user=ann" } });
      const room = await client.subscribe("chat", { room: "lobby" });
      await room.perform("speak", { message: "hello <there>" });
      expect(await room.waitForMessage()).toEqual({ from: "ann", message: "hello <there>" });
      await expect(client.subscribe("chat", { room: "secret" })).rejects.toThrow(/reject/i);
      await expect(client.subscribe("NoSuchChannel")).rejects.toThrow(/reject/i);
      await client.close();
    });

    it("keeps channel and connection state between calls", async () => {
      const client = await connectCable(anycable.url, { headers: { cookie: "user=ann" } });
      const room = await client.subscribe("chat", { room: "counting" });
      for (let i = 0; i < 3; i++) await room.perform("count");
      const messages = await room.waitForMessages(3);
      expect(messages).toEqual([{ count: 1 }, { count: 2 }, { count: 3 }]);
      // A second subscription has its own channel state.
      const other = await client.subscribe("chat", { room: "other" });
      await other.perform("count");
      expect(await other.waitForMessage()).toEqual({ count: 1 });
      await client.close();
    });

    it("runs unsubscribed for each channel and then disconnect when the socket closes", async () => {
      const client = await connectCable(anycable.url, { headers: { cookie: "user=bea" } });
      const a = await client.subscribe("chat", { room: "a" });
      await client.subscribe("chat", { room: "b" });
      await a.perform("count");
      await a.waitForMessage();
      await client.close();
      await waitFor(() => journal.includes("disconnect:bea"), { timeoutMs: 10_000, description: "Disconnect to reach RPC" });
      expect(journal.filter((e) => e.startsWith("unsubscribed:bea")).sort()).toEqual(["unsubscribed:bea:a:1", "unsubscribed:bea:b:0"]);
      expect(journal.at(-1)).toBe("disconnect:bea");
    });

    it("runs unsubscribed when the client unsubscribes and stops its streams", async () => {
      const client = await connectCable(anycable.url, { headers: { cookie: "user=cy" } });
      const room = await client.subscribe("chat", { room: "c" });
      await room.unsubscribe();
      await waitFor(() => journal.includes("unsubscribed:cy:c:0"), { timeoutMs: 10_000, description: "unsubscribed" });
      await client.close();
    });

    it("keeps serving after application errors and hostile actions", async () => {
      const client = await connectCable(anycable.url, { headers: { cookie: "user=dee" } });
      const room = await client.subscribe("chat", { room: "d" });
      await room.perform("explode");
      await room.perform("unsubscribed");
      await room.perform("constructor");
      await room.perform("adminReset");
      await room.perform("speak", { message: "still alive" });
      expect(await room.waitForMessage()).toEqual({ from: "dee", message: "still alive" });
      expect(room.messages).toHaveLength(1);
      expect(journal).not.toContain("adminReset");
      expect(journal).not.toContain("unsubscribed:dee:d:0");
      await client.close();
    });

    it("lets a channel close the socket", async () => {
      const client = await connectCable(anycable.url, { headers: { cookie: "user=eve" } });
      const room = await client.subscribe("chat", { room: "e" });
      await room.perform("kick");
      const ended = await client.waitDisconnected();
      expect(ended.reason).toBeDefined();
    });

    it("answers every call without an RPC error in anycable-go's log", () => {
      expect(anycable.logs()).not.toMatch(/rpc error|Unauthenticated|InvalidArgument|status code/i);
    });

    extra?.(() => anycable);
  });
}

scenarios(TRANSPORTS[0]!, (current) => {
  // gRPC only: anycable-go's HTTP/2 keepalive pings are what a gRPC server could refuse.
  it("keeps an idle connection through 30 s of gRPC keepalive pings", { timeout: 60_000 }, async () => {
    const client = createCableClient(current().url, { headers: { cookie: "user=idle" } });
    await client.waitConnected();
    const room = await client.subscribe("chat", { room: "idle" });
    await new Promise((resolve) => setTimeout(resolve, 31_000));
    await room.perform("speak", { message: "awake" });
    expect(await room.waitForMessage()).toEqual({ from: "idle", message: "awake" });
    expect(client.state()).toBe("connected");
    expect(current().logs()).not.toMatch(/GOAWAY|too_many_pings|ENHANCE_YOUR_CALM|rpc error/i);
    await client.close();
  });
});

scenarios(TRANSPORTS[1]!);
