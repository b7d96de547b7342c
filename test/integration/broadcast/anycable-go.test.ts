// End to end through a stock anycable-go: our broadcaster publishes via each adapter, a WebSocket
// client subscribed to a public stream receives exactly what was broadcast.
import { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createBroadcaster } from "../../../src/broadcast/factory.js";
import type { QueuedBroadcaster } from "../../../src/broadcast/queued-broadcaster.js";
import { BroadcastRejectedError } from "../../../src/broadcast/errors.js";
import {
  captureLogger,
  connectCable,
  freePort,
  startAnycableGo,
  startNats,
  startRedis,
  waitFor,
  type AnycableGo,
  type CableClient,
  type StartAnycableGoOptions,
} from "../../support/index.js";
import { testConfig } from "./support/test-config.js";

interface StreamSubscription {
  /** The session id from the welcome message (what meta.exclude_socket names). */
  sid: string | undefined;
  /** The `message` of every broadcast received on the stream, in arrival order. */
  messages: unknown[];
  waitForMessages(count: number): Promise<unknown[]>;
}

const services: Array<{ stop(): Promise<unknown> }> = [];
const broadcasters: QueuedBroadcaster[] = [];
const clients: CableClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(broadcasters.splice(0).map((b) => b.close()));
  // anycable-go first: it is a client of the brokers.
  for (const service of services.splice(0).reverse()) await service.stop();
});

function broadcasterFor(env: NodeJS.ProcessEnv) {
  const logs = captureLogger();
  const broadcaster = createBroadcaster(testConfig(env), logs.logger, { settleOn: "delivered" });
  broadcasters.push(broadcaster);
  return { broadcaster, logs };
}

async function anycable(args: string[], options: StartAnycableGoOptions = {}): Promise<AnycableGo> {
  const service = await startAnycableGo({ shutdownTimeoutSec: 1, ...options, args });
  services.push(service);
  return service;
}

/** A client of anycable-go's built-in `$pubsub` channel (needs --public or --public_streams; never reaches RPC). */
async function subscriber(cable: AnycableGo, stream: string): Promise<StreamSubscription> {
  const client = await connectCable(cable.url, { timeoutMs: 5_000 });
  clients.push(client);
  const subscription = await client.subscribe("$pubsub", { stream_name: stream });
  return { sid: client.sessionId, messages: subscription.messages, waitForMessages: (count) => subscription.waitForMessages(count) };
}

/**
 * One of each: object data, a message excluded from this very client by meta.exclude_socket, a
 * batch mixing our stream with another, and a trailing sentinel; the client must see exactly
 * 1, 3, 4, 5 in that order (the excluded one would have arrived before the sentinel).
 */
async function exerciseStream(broadcaster: QueuedBroadcaster, client: StreamSubscription): Promise<void> {
  expect(client.sid).toBeTruthy();
  await broadcaster.broadcast("e2e", { n: 1, text: "héllo ✓" });
  await broadcaster.broadcast("e2e", { n: 2 }, { exclude_socket: client.sid });
  await broadcaster.broadcastMany([
    { stream: "e2e", data: JSON.stringify({ n: 3 }) },
    { stream: "elsewhere", data: JSON.stringify({ n: 99 }) },
    { stream: "e2e", data: JSON.stringify({ n: 4 }) },
  ]);
  await broadcaster.broadcast("e2e", "5");
  await client.waitForMessages(4);
  expect(client.messages).toEqual([{ n: 1, text: "héllo ✓" }, { n: 3 }, { n: 4 }, 5]);
}

describe("through anycable-go 1.5", () => {
  afterAll(async () => {
    for (const service of services.splice(0).reverse()) await service.stop();
  });

  it("nats: anycable-go --broadcast_adapter=nats delivers what we publish on the subject", async () => {
    const nats = await startNats({ monitoring: true });
    services.push(nats);
    const cable = await anycable(["--norpc", "--public", "--broadcast_adapter=nats", `--nats_servers=nats://127.0.0.1:${nats.port}`]);
    // anycable-go subscribes asynchronously; publish only once nats-server has its subscription.
    await waitFor(
      async () => {
        const response = await fetch(`${nats.monitoringUrl}/connz?subs=1`);
        const connz = (await response.json()) as { connections?: Array<{ subscriptions_list?: string[] }> };
        return (connz.connections ?? []).some((c) => c.subscriptions_list?.includes("__anycable__") === true);
      },
      { description: "anycable-go's subscription to __anycable__" },
    );
    const client = await subscriber(cable, "e2e");
    const { broadcaster } = broadcasterFor({ ANYCABLE_BROADCAST_ADAPTER: "nats", ANYCABLE_NATS_SERVERS: `nats://127.0.0.1:${nats.port}` });
    await exerciseStream(broadcaster, client);
  });

  const redisAdapters = [
    {
      adapter: "redis",
      title: "redis: anycable-go --broadcast_adapter=redis delivers what we PUBLISH",
      readiness: "anycable-go's SUBSCRIBE __anycable__",
      ready: async (admin: Redis) => {
        const [, count] = (await admin.pubsub("NUMSUB", "__anycable__")) as [string, number];
        return count >= 1;
      },
    },
    {
      adapter: "redisx",
      title: "redisx: anycable-go --broadcast_adapter=redisx consumes what we XADD",
      // Its consumer group starts at "$": entries added before it exists are never read.
      readiness: "anycable-go's consumer group on __anycable__",
      ready: async (admin: Redis) => {
        const groups = (await admin.xinfo("GROUPS", "__anycable__")) as unknown[];
        return groups.length >= 1;
      },
    },
  ];
  for (const { adapter, title, readiness, ready } of redisAdapters) {
    it(title, async () => {
      const redis = await startRedis();
      services.push(redis);
      const cable = await anycable([
        "--norpc",
        "--public",
        `--broadcast_adapter=${adapter}`,
        `--redis_url=redis://127.0.0.1:${redis.port}`,
      ]);
      const admin = new Redis({ port: redis.port, host: "127.0.0.1" });
      try {
        await waitFor(() => ready(admin), { description: readiness });
      } finally {
        admin.disconnect();
      }
      const client = await subscriber(cable, "e2e");
      const { broadcaster } = broadcasterFor({ ANYCABLE_BROADCAST_ADAPTER: adapter, REDIS_URL: `redis://127.0.0.1:${redis.port}` });
      await exerciseStream(broadcaster, client);
    });
  }

  it("http with --secret: the key derived from ANYCABLE_SECRET is accepted on the main port; a wrong key is refused loudly", async () => {
    const secret = "e2e-application-secret";
    const cable = await anycable(["--norpc", "--noauth", "--public_streams", `--secret=${secret}`, "--broadcast_adapter=http"], {
      httpBroadcastOnMainPort: true,
    });
    const client = await subscriber(cable, "e2e");
    const url = `http://127.0.0.1:${cable.port}/_broadcast`;
    const { broadcaster } = broadcasterFor({
      ANYCABLE_BROADCAST_ADAPTER: "http",
      ANYCABLE_HTTP_BROADCAST_URL: url,
      ANYCABLE_SECRET: secret,
    });
    await exerciseStream(broadcaster, client);

    const wrong = broadcasterFor({
      ANYCABLE_BROADCAST_ADAPTER: "http",
      ANYCABLE_HTTP_BROADCAST_URL: url,
      ANYCABLE_SECRET: "not-the-secret",
    });
    await expect(wrong.broadcaster.broadcast("e2e", "6")).rejects.toBeInstanceOf(BroadcastRejectedError);
    expect(wrong.logs.at("error")[0]?.msg).toMatch(/HTTP 401/);
    await broadcaster.broadcast("e2e", "7");
    await client.waitForMessages(5);
    expect(client.messages.slice(4)).toEqual([7]);
  });

  it("http without a key: --http_broadcast_port serves an open endpoint", async () => {
    const broadcastPort = await freePort();
    const cable = await anycable(["--norpc", "--public", "--broadcast_adapter=http", `--http_broadcast_port=${broadcastPort}`]);
    await waitFor(
      async () => {
        const response = await fetch(`http://127.0.0.1:${broadcastPort}/_broadcast`, { method: "POST", body: "{}" });
        await response.arrayBuffer();
        return response.status === 201;
      },
      { description: "the broadcast port" },
    );
    const client = await subscriber(cable, "e2e");
    const { broadcaster } = broadcasterFor({
      ANYCABLE_BROADCAST_ADAPTER: "http",
      ANYCABLE_HTTP_BROADCAST_URL: `http://127.0.0.1:${broadcastPort}/_broadcast`,
    });
    await exerciseStream(broadcaster, client);
  });
});
