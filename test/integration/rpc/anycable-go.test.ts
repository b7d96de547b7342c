// The framework behind a real, unmodified anycable-go, driven by a real Action Cable client, over
// both RPC transports anycable-go speaks: gRPC and HTTP (JSON POSTs with a bearer secret).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startRpcServer, type RunningRpcServer } from "../../../src/rpc/start-server.js";
import { createBroadcaster, deriveBroadcastKey, loadBroadcastConfig } from "../../../src/broadcast/index.js";
import { silentLogger } from "../../../src/logging/logger.js";
import app, { journal } from "../../fixtures/chat-app.js";
import { connectCable, createCableClient, openRawSocket, startAnycableGo, waitFor, type AnycableGo } from "../../support/index.js";
import { FRAME, startHttp2FrameTap, type Http2FrameTap } from "../../support/http2-frame-tap.js";
import { withTimeout } from "../../support/wait.js";

/** anycable-go's --secret: both halves derive the HTTP RPC bearer secret from it. */
const APP_SECRET = "integration-app-secret";

interface Transport {
  name: string;
  /** What anycable-go logs at start-up when it speaks this transport. */
  startupLog: RegExp[];
  /** Starts our RPC server and an anycable-go pointed at it (over gRPC, through an HTTP/2 frame tap). */
  start(): Promise<Deployment>;
}

interface Deployment {
  rpc: RunningRpcServer;
  anycable: AnycableGo;
  tap?: Http2FrameTap;
  /** Bearer key of anycable-go's HTTP broadcast endpoint, when its --secret requires one. */
  broadcastKey?: string;
}

type CableClient = Awaited<ReturnType<typeof connectCable>>;
type Subscription = Awaited<ReturnType<CableClient["subscribe"]>>;

/** Publishes through anycable-go's HTTP broadcast endpoint, as any broadcaster would. */
async function broadcast({ anycable, broadcastKey }: Deployment, stream: string, data: object): Promise<void> {
  const response = await fetch(anycable.broadcastUrl ?? "", {
    method: "POST",
    headers: { "content-type": "application/json", ...(broadcastKey ? { authorization: `Bearer ${broadcastKey}` } : {}) },
    body: JSON.stringify({ stream, data: JSON.stringify(data) }),
  });
  expect(response.status).toBeLessThan(300);
}

/**
 * Runs `stop` (an unsubscribe or a stopStreamFrom) on `room`, then broadcasts to chat:<name> and
 * returns what `client` received from it afterwards. Event-ordered, no sleeps: a second client
 * still on the stream proves the broadcast went out, and a reply on another subscription of the
 * same socket, sent after that, proves anything the stream sent this socket would have arrived.
 */
async function nothingAfter(deployment: Deployment, client: CableClient, room: Subscription, name: string, stop: () => Promise<void>) {
  const { anycable } = deployment;
  const stream = `chat:${name}`;
  const witness = await connectCable(anycable.url, { headers: { cookie: "user=witness" } });
  const watching = await witness.subscribe("chat", { room: name });
  const marker = await client.subscribe("chat", { room: `${name}-marker` });
  const echo = async (text: string) => {
    await marker.perform("speak", { message: text });
    await marker.waitForMessage((m: { message?: string }) => m.message === text);
  };
  // The stream reaches the room before…
  await broadcast(deployment, stream, { n: "before" });
  await room.waitForMessage((m: { n?: string }) => m.n === "before");
  await stop();
  // …commands on one socket run in order, so once this echo is back the stop has been applied.
  await echo("stopped");
  const frameCount = client.frames.length;
  await broadcast(deployment, stream, { n: "after" });
  await watching.waitForMessage((m: { n?: string }) => m.n === "after");
  await echo("done");
  await witness.close();
  return client.frames.slice(frameCount).filter((f) => JSON.stringify(f).includes('"n":"after"'));
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
      const tap = await startHttp2FrameTap(rpc.port);
      return { rpc, tap, anycable: await startAnycableGo({ rpcHost: `127.0.0.1:${tap.port}` }) };
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
      return { rpc, anycable, broadcastKey: deriveBroadcastKey(APP_SECRET) };
    },
  },
];

function scenarios(transport: Transport, extra?: (ctx: () => Deployment) => void): void {
  describe(`a real anycable-go in front of the RPC server over ${transport.name}`, () => {
    let deployment: Deployment;
    let rpc: RunningRpcServer;
    let anycable: AnycableGo;

    beforeAll(async () => {
      deployment = await transport.start();
      ({ rpc, anycable } = deployment);
    });

    afterAll(async () => {
      await anycable?.stop();
      await deployment?.tap?.close();
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
      const after = await nothingAfter(deployment, client, room, "c", () => room.unsubscribe());
      expect(journal).toContain("unsubscribed:cy:c:0");
      expect(after).toEqual([]);
      await client.close();
    });

    it("delivers nothing from a stream the channel stopped with stopStreamFrom", async () => {
      const client = await connectCable(anycable.url, { headers: { cookie: "user=di" } });
      const room = await client.subscribe("chat", { room: "s" });
      const after = await nothingAfter(deployment, client, room, "s", () => room.perform("leave_room", { room: "s" }));
      expect(after).toEqual([]);
      // The subscription itself is still there: the channel still answers on it.
      await room.perform("speak", { message: "still subscribed" });
      expect(await room.waitForMessage((m: { message?: string }) => m.message === "still subscribed")).toBeDefined();
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

    extra?.(() => deployment);
  });
}

scenarios(TRANSPORTS[0]!, (current) => {
  // gRPC only: anycable-go's HTTP/2 keepalive pings are what a gRPC server could refuse.
  it("keeps an idle connection through anycable-go's gRPC keepalive pings, answering each", { timeout: 90_000 }, async () => {
    const { anycable, tap } = current();
    if (!tap) throw new Error("the gRPC deployment runs through a frame tap");
    const client = createCableClient(anycable.url, { headers: { cookie: "user=idle" } });
    await client.waitConnected();
    const room = await client.subscribe("chat", { room: "idle" });
    // anycable-go pings every 10 s; a server too strict about pings on an idle connection answers
    // the third or so with GOAWAY (ENHANCE_YOUR_CALM). Wait for three, as they happen.
    const from = tap.frames.length;
    const since = (side: "client" | "server", type: number, ack: boolean) =>
      tap.frames.slice(from).filter((f) => f.from === side && f.type === type && f.ack === ack).length;
    await withTimeout(
      tap.until(() => since("client", FRAME.PING, false) >= 3 && since("server", FRAME.PING, true) >= 3),
      60_000,
      "three keepalive PINGs from anycable-go and their ACKs",
    );
    expect(since("server", FRAME.GOAWAY, false)).toBe(0);
    await room.perform("speak", { message: "awake" });
    expect(await room.waitForMessage()).toEqual({ from: "idle", message: "awake" });
    expect(client.state()).toBe("connected");
    expect(anycable.logs()).not.toMatch(/GOAWAY|too_many_pings|ENHANCE_YOUR_CALM|rpc error/i);
    await client.close();
  });
});

scenarios(TRANSPORTS[1]!);
