// Broker outages with real brokers: stopped and restarted on the same port while publications keep
// coming, unreachable at start-up, and the bounded queue overflowing. Nothing published is lost
// silently: it is delivered after reconnection, in order, once, or its promise rejects loudly.
import { setTimeout as delay } from "node:timers/promises";
import { Redis } from "ioredis";
import { connect } from "nats";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BroadcastQueueFullError } from "../../../src/broadcast/errors.js";
import { createBroadcaster } from "../../../src/broadcast/factory.js";
import type { QueuedBroadcaster } from "../../../src/broadcast/queued-broadcaster.js";
import {
  captureLogger,
  freePort,
  startGateProxy,
  startNats,
  startRedis,
  waitFor,
  withTimeout,
  type CapturedLogs,
  type GateProxy,
  type NatsServer,
  type RedisServer,
} from "../../support/index.js";
import { testConfig } from "./support/test-config.js";

const N = 60;
const STOP_AT = 20;
const RESTART_AT = 40;

type Settled = { ok: true } | { ok: false; error: unknown };

const cleanups: Array<() => Promise<void> | void> = [];
const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);

beforeAll(() => {
  process.on("unhandledRejection", onCrash);
  process.on("uncaughtException", onCrash);
});
afterAll(() => {
  process.off("unhandledRejection", onCrash);
  process.off("uncaughtException", onCrash);
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  expect(crashes).toEqual([]);
});

function broadcasterFor(env: NodeJS.ProcessEnv): { broadcaster: QueuedBroadcaster; logs: CapturedLogs } {
  const logs = captureLogger();
  const broadcaster = createBroadcaster(testConfig(env), logs.logger, { settleOn: "delivered" });
  cleanups.push(() => broadcaster.close());
  return { broadcaster, logs };
}

function settle(promise: Promise<void>): Promise<Settled> {
  return promise.then(
    () => ({ ok: true }),
    (error: unknown) => ({ ok: false, error }),
  );
}

async function gate(port: number): Promise<GateProxy> {
  const proxy = await startGateProxy(port);
  cleanups.push(() => proxy.close());
  return proxy;
}

function tracked<T extends { stop(): Promise<unknown> }>(service: T): T {
  cleanups.push(async () => {
    await service.stop();
  });
  return service;
}

/**
 * Publishes {n: 1..N} on stream "fault" every few milliseconds without awaiting delivery (as an
 * RPC handler that must not stall would), calling `at(i)` after publication i.
 */
async function broadcastLoop(broadcaster: QueuedBroadcaster, at: (i: number) => Promise<void>): Promise<Settled[]> {
  const results: Array<Promise<Settled>> = [];
  for (let i = 1; i <= N; i++) {
    results.push(settle(broadcaster.broadcast("fault", { n: i })));
    await at(i);
    await delay(3);
  }
  return withTimeout(Promise.all(results), 20_000, "every publication to settle");
}

const numberOf = (json: string): number => (JSON.parse((JSON.parse(json) as { data: string }).data) as { n: number }).n;
/** A NATS message may carry several publications as one batch (see publicationRun in nats.ts): anycable-go fans them out in order. */
const numbersOf = (json: string): number[] =>
  json.startsWith("[") ? (JSON.parse(json) as { data: string }[]).map((p) => numberOf(JSON.stringify(p))) : [numberOf(json)];
const oneToN = Array.from({ length: N }, (_, i) => i + 1);

interface RestartCase {
  title: string;
  start(): Promise<RedisServer | NatsServer>;
  /**
   * Subscribes a listener straight to the broker (not through the gate) that rides through the
   * restart, pushing each message's n; resolves with a wait for it to be subscribed again.
   */
  listen(port: number, received: number[]): Promise<() => Promise<unknown>>;
  /** The broadcaster's env, pointed at the gate. */
  env(proxyPort: number): NodeJS.ProcessEnv;
  lostWarning(proxyPort: number): string;
  reconnected: string;
  summary(queuedWhileDown: number, received: number): string;
}

const restartCases: RestartCase[] = [
  {
    title: "redis: redis-server stopped and restarted on the same port; every message arrives once, in order",
    start: () => startRedis(),
    async listen(port, received) {
      const subscriber = new Redis({ port, host: "127.0.0.1", retryStrategy: () => 20, maxRetriesPerRequest: null });
      cleanups.push(() => subscriber.disconnect());
      subscriber.on("error", () => undefined);
      subscriber.on("message", (_channel: string, message: string) => received.push(numberOf(message)));
      await subscriber.subscribe("fault-channel");
      return async () => {
        const admin = new Redis({ port, host: "127.0.0.1", retryStrategy: () => 20 });
        try {
          await waitFor(
            async () => {
              const [, count] = (await admin.pubsub("NUMSUB", "fault-channel")) as [string, number];
              return count >= 1;
            },
            { description: "the subscriber to resubscribe" },
          );
        } finally {
          admin.disconnect();
        }
      };
    },
    env: (proxyPort) => ({
      ANYCABLE_BROADCAST_ADAPTER: "redis",
      REDIS_URL: `redis://127.0.0.1:${proxyPort}`,
      ANYCABLE_REDIS_CHANNEL: "fault-channel",
    }),
    lostWarning: (proxyPort) =>
      `lost connection to Redis at redis://127.0.0.1:${proxyPort}, will keep retrying; publications are queued (max 1000)`,
    reconnected: "reconnected to Redis",
    summary: (queued, received) =>
      `redis: ${N} published, ${queued} queued while redis-server was down, ${received} received in order, 0 rejected, 0 duplicated`,
  },
  {
    title: "nats: nats-server stopped and restarted on the same port; every message arrives once, in order",
    start: () => startNats(),
    async listen(port, received) {
      const subscriber = await connect({ servers: `nats://127.0.0.1:${port}`, reconnectTimeWait: 20, maxReconnectAttempts: -1 });
      cleanups.push(() => subscriber.close());
      const sub = subscriber.subscribe("fault-subject");
      void (async () => {
        for await (const m of sub) received.push(...numbersOf(m.string()));
      })();
      await subscriber.flush();
      // A PONG from the new server proves it has the subscriber's SUB (sent before any PING).
      return () =>
        waitFor(
          async () => {
            await withTimeout(subscriber.flush(), 1_000, "a flush");
            return true;
          },
          { description: "the subscriber to reconnect" },
        );
    },
    env: (proxyPort) => ({ ANYCABLE_NATS_SERVERS: `nats://127.0.0.1:${proxyPort}`, ANYCABLE_NATS_CHANNEL: "fault-subject" }),
    lostWarning: (proxyPort) =>
      `lost connection to NATS at nats://127.0.0.1:${proxyPort}, will keep retrying; publications are queued (max 1000)`,
    reconnected: "reconnected to NATS",
    summary: (queued, received) =>
      `nats: ${N} published, ${queued} queued while nats-server was down, ${received} received in order, 0 rejected, 0 duplicated`,
  },
];

describe("broker restarts while publishing", () => {
  for (const c of restartCases) {
    it(c.title, async ({ annotate }) => {
      const broker = tracked(await c.start());
      const proxy = await gate(broker.port);
      const received: number[] = [];
      const resubscribed = await c.listen(broker.port, received);
      const { broadcaster, logs } = broadcasterFor({ ...c.env(proxy.port), ANYCABLE_BROADCAST_QUEUE_SIZE: "1000" });

      let queuedWhileDown = 0;
      const results = await broadcastLoop(broadcaster, async (i) => {
        if (i === STOP_AT) {
          // Stop between publications: a message in flight at the instant of a crash may be
          // delivered twice (at-least-once), which this test does not set out to show.
          await waitFor(() => broadcaster.pending === 0, { description: "publications so far to be acknowledged" });
          proxy.shut();
          await broker.stop();
        }
        if (i === RESTART_AT) {
          queuedWhileDown = broadcaster.pending;
          await broker.restart();
          await resubscribed();
          proxy.open();
        }
      });

      await waitFor(() => received.length >= N, {
        timeoutMs: 10_000,
        description: `${N} messages at the subscriber`,
        details: () => `got ${received.length}`,
      });
      await delay(50);
      expect(results.filter((r) => !r.ok)).toEqual([]);
      expect(received).toEqual(oneToN);
      expect(queuedWhileDown).toBe(RESTART_AT - STOP_AT);
      expect(logs.at("warn").map((l) => l.msg)).toContain(c.lostWarning(proxy.port));
      const reconnected = logs.at("info").find((l) => l.msg.startsWith(c.reconnected));
      expect(reconnected?.pending).toBeGreaterThanOrEqual(queuedWhileDown);
      await annotate(c.summary(queuedWhileDown, received.length));
    });
  }
});

describe("unreachable at start-up", () => {
  it("nats: logs that it cannot reach NATS, keeps retrying, and delivers once nats-server starts", async () => {
    const port = await freePort();
    const proxy = await gate(port);
    proxy.shut();
    const { broadcaster, logs } = broadcasterFor({ ANYCABLE_NATS_SERVERS: `nats://127.0.0.1:${proxy.port}` });
    const early = broadcaster.broadcast("early", "queued before NATS existed");
    await waitFor(() => logs.at("warn").length > 0, { timeoutMs: 5_000, description: "a warning" });
    expect(logs.at("warn")[0]).toMatchObject({
      msg: `cannot reach NATS at nats://127.0.0.1:${proxy.port}, will keep retrying; publications are queued (max 10000)`,
    });

    const nats = tracked(await startNats({ port }));
    const subscriber = await connect({ servers: `nats://127.0.0.1:${nats.port}` });
    cleanups.push(() => subscriber.close());
    const received: string[] = [];
    const sub = subscriber.subscribe("__anycable__");
    void (async () => {
      for await (const m of sub) received.push(m.string());
    })();
    await subscriber.flush();
    proxy.open();

    await withTimeout(early, 10_000, "the queued publication");
    await waitFor(() => received.length === 1, { timeoutMs: 5_000, description: "the message at the subscriber" });
    expect(received).toEqual(['{"stream":"early","data":"queued before NATS existed"}']);
    expect(
      logs.at("info").some((l) => l.msg === `connected to NATS at nats://127.0.0.1:${proxy.port}; flushing 1 queued publication(s)`),
    ).toBe(true);
  });

  it("redisx: a full queue rejects loudly; what fit is XADDed in order when Redis appears, and close() waits for it", async ({
    annotate,
  }) => {
    const port = await freePort();
    const { broadcaster, logs } = broadcasterFor({
      ANYCABLE_BROADCAST_ADAPTER: "redisx",
      REDIS_URL: `redis://127.0.0.1:${port}`,
      ANYCABLE_BROADCAST_QUEUE_SIZE: "5",
    });
    await waitFor(() => logs.at("warn").length > 0, { timeoutMs: 5_000, description: "a warning" });
    expect(logs.at("warn")[0]?.msg).toBe(
      `cannot reach Redis stream at redis://127.0.0.1:${port}, will keep retrying; publications are queued (max 5)`,
    );

    const results = Array.from({ length: 8 }, (_, i) => settle(broadcaster.broadcast("q", { n: i + 1 })));
    const overflow = (await Promise.all(results.slice(5))).map((r) => (r.ok ? undefined : r.error));
    for (const error of overflow) {
      expect(error).toBeInstanceOf(BroadcastQueueFullError);
      expect((error as Error).message).toBe(
        `broadcast queue is full (5 pending, max 5; Redis stream at redis://127.0.0.1:${port} is unreachable); stream "q" was not sent`,
      );
    }
    // One error line for the overflow; the two refusals after it go to debug.
    expect(logs.at("error")).toHaveLength(1);
    expect(logs.at("error")[0]).toMatchObject({ stream: "q", queueSize: 5, maxQueueSize: 5 });
    expect(logs.at("debug").filter((l) => l.msg.startsWith("broadcast queue is full"))).toHaveLength(2);

    // Redis appears, and the application shuts down at once: close() still delivers the five.
    tracked(await startRedis({ port }));
    await broadcaster.close();
    expect((await Promise.all(results.slice(0, 5))).every((r) => r.ok)).toBe(true);
    const admin = new Redis({ port, host: "127.0.0.1" });
    try {
      const entries = await admin.xrange("__anycable__", "-", "+");
      expect(entries.map(([, fields]) => numberOf(fields[1] ?? ""))).toEqual([1, 2, 3, 4, 5]);
    } finally {
      admin.disconnect();
    }
    await annotate(
      "redisx: queue size 5, 8 published while unreachable: 3 rejected with BroadcastQueueFullError (3 error logs), 5 delivered in order by close()",
    );
  });
});
