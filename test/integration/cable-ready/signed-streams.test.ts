// Signed CableReady::Stream subscriptions through a real anycable-go, with each broadcast adapter
// against its real broker: the subscriber receives exactly the operations a channel broadcast,
// and forged or foreign-key names are refused, by anycable-go itself or by our RPC channel.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createBroadcaster,
  loadBroadcastConfig,
  signStreamName,
  silentLogger,
  startRpcServer,
  type RunningRpcServer,
} from "../../../src/index.js";
import app from "../../fixtures/announcer-app.js";
import {
  connectCable,
  freePort,
  startAnycableGo,
  startNats,
  startRedis,
  type AnycableGo,
  type CableClient,
  type NatsServer,
  type RedisServer,
} from "../../support/index.js";

const SECRET = "s3cЯeT"; // non-ASCII on purpose: both sides must use its UTF-8 bytes

interface Stack {
  anycable: AnycableGo;
  rpc: RunningRpcServer;
  stop(): Promise<void>;
}

type Broker = "embedded nats" | "nats-server" | "redis" | "redisx" | "http";

async function startStack(broker: Broker, options: { secretInAnycable: boolean }): Promise<Stack> {
  const rpcPort = await freePort();
  const cableReadyFlags = options.secretInAnycable ? ["--cable_ready", `--cable_ready_secret=${SECRET}`] : [];
  const headersOnly = { rpcHost: `127.0.0.1:${rpcPort}` };
  let nats: NatsServer | undefined;
  let redis: RedisServer | undefined;
  let anycable: AnycableGo;
  let env: NodeJS.ProcessEnv;
  switch (broker) {
    case "embedded nats":
      anycable = await startAnycableGo({ ...headersOnly, embedNats: true, broadcastAdapter: "nats", args: cableReadyFlags });
      env = { ANYCABLE_BROADCAST_ADAPTER: "nats", ANYCABLE_NATS_SERVERS: anycable.natsUrl };
      break;
    case "nats-server":
      nats = await startNats();
      anycable = await startAnycableGo({
        ...headersOnly,
        broadcastAdapter: "nats",
        args: [`--nats_servers=${nats.url}`, ...cableReadyFlags],
      });
      env = { ANYCABLE_BROADCAST_ADAPTER: "nats", ANYCABLE_NATS_SERVERS: nats.url };
      break;
    case "redis":
    case "redisx":
      redis = await startRedis();
      anycable = await startAnycableGo({
        ...headersOnly,
        broadcastAdapter: broker,
        args: [`--redis_url=${redis.url}`, ...cableReadyFlags],
      });
      env = { ANYCABLE_BROADCAST_ADAPTER: broker, ANYCABLE_REDIS_URL: redis.url };
      break;
    case "http":
      anycable = await startAnycableGo({ ...headersOnly, broadcastAdapter: "http", args: cableReadyFlags });
      env = { ANYCABLE_BROADCAST_ADAPTER: "http", ANYCABLE_HTTP_BROADCAST_URL: anycable.broadcastUrl };
      break;
  }
  const logger = silentLogger();
  const rpc = await startRpcServer({
    app,
    broadcaster: createBroadcaster(loadBroadcastConfig(env), logger),
    logger,
    config: { host: `127.0.0.1:${rpcPort}` },
    env: {},
    // When anycable-go has the secret, our channel gets none: a confirmed subscription then
    // proves anycable-go verified the name itself.
    cableReady: { secret: options.secretInAnycable ? undefined : SECRET },
  });
  return {
    anycable,
    rpc,
    async stop() {
      await anycable.stop();
      await rpc.stop();
      await nats?.stop();
      await redis?.stop();
    },
  };
}

const expectedPayload = (text: string) => ({
  cableReady: true,
  operations: [
    { operation: "append", selector: "#feed", html: `<p class="note">${text.replace(/</g, "&lt;").replace(/>/g, "&gt;")}</p>` },
    { operation: "setFocus", selector: "#feed" },
    { operation: "dispatchEvent", name: "announced", detail: { textLength: text.length }, selector: "#feed" },
  ],
  version: "5.0.6",
});

async function announceAndReceive(stack: Stack, stream: string): Promise<unknown> {
  const viewer = await connectCable(stack.anycable.url);
  const publisher = await connectCable(stack.anycable.url);
  try {
    const feed = await viewer.subscribe("CableReady::Stream", { identifier: signStreamName(stream, SECRET) });
    const announcer = await publisher.subscribe("Announcer");
    await announcer.perform("announce", { stream, text: "hi <b>there</b>" });
    return await feed.waitForMessage();
  } finally {
    await viewer.close();
    await publisher.close();
  }
}

async function expectRejected(client: CableClient, identifier: string): Promise<void> {
  await expect(client.subscribe("CableReady::Stream", { identifier })).rejects.toThrow(/reject/i);
}

const forgeries = {
  "signed with another key": signStreamName("calls", "not-the-secret"),
  "with a tampered name": `${Buffer.from(JSON.stringify("admin")).toString("base64")}--${signStreamName("calls", SECRET).split("--")[1]}`,
  "that is not signed at all": "calls",
};

describe.each<Broker>(["embedded nats", "nats-server", "redis", "redisx", "http"])("signed Cable Ready streams over %s", (broker) => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack(broker, { secretInAnycable: true });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("delivers exactly the operations a channel broadcast to a subscriber anycable-go verified", async () => {
    const received = await announceAndReceive(stack, `feed:${broker}`);
    expect(received).toEqual(expectedPayload("hi <b>there</b>"));
  });

  it("lets anycable-go reject forged names", async () => {
    const client = await connectCable(stack.anycable.url);
    for (const forged of Object.values(forgeries)) await expectRejected(client, forged);
    await client.close();
  });
});

describe("signed Cable Ready streams when anycable-go has no secret (our CableReady::Stream channel answers)", () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack("http", { secretInAnycable: false });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("verifies the signed name and streams from it", async () => {
    expect(await announceAndReceive(stack, "feed:rpc")).toEqual(expectedPayload("hi <b>there</b>"));
  });

  it.each(Object.entries(forgeries))("rejects a name %s", async (_label, forged) => {
    const client = await connectCable(stack.anycable.url);
    await expectRejected(client, forged);
    await client.close();
  });
});
