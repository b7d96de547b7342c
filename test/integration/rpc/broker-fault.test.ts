// A channel keeps broadcasting through our Redis adapter while the real redis-server under a real
// anycable-go is stopped and restarted: RPC keeps answering, nothing crashes, and what was published
// during the outage reaches the subscriber after reconnection, in order and once.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBroadcaster, loadBroadcastConfig } from "../../../src/broadcast/index.js";
import { startRpcServer, type RunningRpcServer } from "../../../src/rpc/start-server.js";
import app from "../../fixtures/chat-app.js";
import {
  captureLogger,
  connectCable,
  startAnycableGo,
  startGateProxy,
  startRedis,
  waitFor,
  type AnycableGo,
  type CableClient,
  type CapturedLogs,
  type GateProxy,
  type RedisServer,
} from "../../support/index.js";

const TOTAL = 30;
const STOP_AFTER = 10;
const RESTART_AFTER = 20;

let redis: RedisServer;
let gate: GateProxy;
let anycable: AnycableGo;
let rpc: RunningRpcServer;
let logs: CapturedLogs;
let client: CableClient;
const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);

beforeAll(async () => {
  process.on("unhandledRejection", onCrash);
  process.on("uncaughtException", onCrash);
  redis = await startRedis();
  // Pub/Sub only reaches whoever is subscribed at that instant, so after the restart our
  // publisher is let back in only once anycable-go has resubscribed; the gate decides the order.
  gate = await startGateProxy(redis.port);
  logs = captureLogger();
  const broadcaster = createBroadcaster(
    loadBroadcastConfig({ ANYCABLE_BROADCAST_ADAPTER: "redis", ANYCABLE_REDIS_URL: `redis://127.0.0.1:${gate.port}` }),
    logs.logger,
  );
  rpc = await startRpcServer({ app, broadcaster, logger: logs.logger, config: { host: "127.0.0.1:0" }, env: {} });
  anycable = await startAnycableGo({ rpcHost: `127.0.0.1:${rpc.port}`, broadcastAdapter: "redis", args: [`--redis_url=${redis.url}`] });
  client = await connectCable(anycable.url, { headers: { cookie: "user=ann" } });
});

afterAll(async () => {
  await client?.close();
  await anycable?.stop();
  await rpc?.stop();
  await gate?.close();
  await redis?.stop();
  process.off("unhandledRejection", onCrash);
  process.off("uncaughtException", onCrash);
});

async function subscribers(): Promise<number> {
  const probe = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await probe.connect();
    const reply = (await probe.call("PUBSUB", "NUMSUB", "__anycable__")) as [string, number];
    return Number(reply[1]);
  } catch {
    return 0;
  } finally {
    probe.disconnect();
  }
}

describe("a Redis outage while a channel broadcasts", () => {
  it("keeps RPC answering and delivers every publication after the broker returns", { timeout: 60_000 }, async () => {
    const echo = await client.subscribe("EchoChannel");
    const isBroadcast = (m: unknown): m is { text: string } => typeof (m as { text?: unknown }).text === "string";
    const isDirect = (m: unknown): m is { echo: string } => typeof (m as { echo?: unknown }).echo === "string";

    for (let i = 1; i <= TOTAL; i++) {
      await echo.perform("echo", { text: String(i) });
      // The direct transmission proves the RPC call completed, outage or not.
      await echo.waitForMessage<{ echo?: string }>((m) => m.echo === String(i), 10_000);
      if (i === STOP_AFTER) {
        await waitFor(() => echo.messages.filter(isBroadcast).length === STOP_AFTER, {
          timeoutMs: 10_000,
          description: "broadcasts before the outage",
        });
        await redis.stop();
      }
      if (i === RESTART_AFTER) {
        gate.shut();
        await redis.restart();
        await waitFor(async () => (await subscribers()) > 0, { timeoutMs: 20_000, description: "anycable-go to resubscribe to Redis" });
        gate.open();
      }
    }

    await waitFor(() => echo.messages.filter(isBroadcast).length >= TOTAL, { timeoutMs: 20_000, description: `all ${TOTAL} broadcasts` });
    expect(echo.messages.filter(isDirect).map((m) => Number(m.echo))).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
    expect(echo.messages.filter(isBroadcast).map((m) => Number(m.text))).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
    const messages = logs.lines.map((l) => l.msg);
    expect(messages.some((m) => /lost connection to Redis/.test(m))).toBe(true);
    expect(messages.some((m) => /reconnected to Redis .*flushing \d+ queued publication/.test(m))).toBe(true);
    expect(logs.at("error")).toEqual([]);
    expect(crashes).toEqual([]);
  });
});
