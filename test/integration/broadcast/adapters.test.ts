// Each adapter against the real broker (or a real HTTP server): the bytes that arrive are exactly
// AnyCable's publication format.
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { connect, type NatsConnection } from "nats";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createBroadcaster } from "../../../src/broadcast/factory.js";
import type { QueuedBroadcaster } from "../../../src/broadcast/queued-broadcaster.js";
import { BroadcastRejectedError } from "../../../src/broadcast/errors.js";
import { captureLogger, freePort, startNats, startRedis, waitFor, type NatsServer, type RedisServer } from "../../support/index.js";
import { testConfig } from "./support/test-config.js";

const open: QueuedBroadcaster[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((b) => b.close()));
});

function broadcasterFor(env: NodeJS.ProcessEnv) {
  const logs = captureLogger();
  const broadcaster = createBroadcaster(testConfig(env), logs.logger, { settleOn: "delivered" });
  open.push(broadcaster);
  return { broadcaster, logs };
}

const EXPECTED = {
  single: '{"stream":"chat:1","data":"{\\"text\\":\\"héllo ✓\\",\\"n\\":1}"}',
  meta: '{"stream":"chat:1","data":"plain","meta":{"exclude_socket":"sid-42","transient":true}}',
  batch: '[{"stream":"a","data":"1"},{"stream":"b","data":"{\\"x\\":2}"}]',
  command: '{"command":"disconnect","payload":{"identifier":"{\\"user\\":\\"ann\\"}","reconnect":false}}',
};

async function publishAll(broadcaster: QueuedBroadcaster): Promise<void> {
  await broadcaster.broadcast("chat:1", { text: "héllo ✓", n: 1 });
  await broadcaster.broadcast("chat:1", "plain", { exclude_socket: "sid-42", transient: true });
  await broadcaster.broadcastMany([
    { stream: "a", data: "1" },
    { stream: "b", data: '{"x":2}' },
  ]);
  await broadcaster.broadcastCommand({ command: "disconnect", payload: { identifier: '{"user":"ann"}', reconnect: false } });
}

describe("redis and redisx adapters against redis-server", () => {
  let redis: RedisServer;
  let client: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis({ port: redis.port, host: "127.0.0.1", lazyConnect: true });
    await client.connect();
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  it("PUBLISHes each message on the channel, byte for byte", async () => {
    const subscriber = new Redis({ port: redis.port, host: "127.0.0.1" });
    try {
      const received: string[] = [];
      subscriber.on("message", (channel: string, message: string) => received.push(`${channel} ${message}`));
      await subscriber.subscribe("_cable_test_");
      const { broadcaster } = broadcasterFor({
        ANYCABLE_BROADCAST_ADAPTER: "redis",
        REDIS_URL: `redis://127.0.0.1:${redis.port}`,
        ANYCABLE_REDIS_CHANNEL: "_cable_test_",
      });
      await publishAll(broadcaster);
      await waitFor(() => received.length === 4, {
        timeoutMs: 5_000,
        description: "4 messages",
        details: () => `got ${JSON.stringify(received)}`,
      });
      expect(received).toEqual(Object.values(EXPECTED).map((m) => `_cable_test_ ${m}`));
    } finally {
      subscriber.disconnect();
    }
  });

  it("XADDs each message to the stream under the field payload", async () => {
    const { broadcaster } = broadcasterFor({
      ANYCABLE_BROADCAST_ADAPTER: "redisx",
      ANYCABLE_REDIS_URL: `redis://127.0.0.1:${redis.port}/0`,
    });
    await publishAll(broadcaster);
    const entries = await client.xrange("__anycable__", "-", "+");
    expect(entries.map(([, fields]) => fields)).toEqual(Object.values(EXPECTED).map((m) => ["payload", m]));
  });

  it("rejects loudly when Redis refuses the command (the stream key holds a string)", async () => {
    await client.set("not-a-stream", "x");
    const { broadcaster, logs } = broadcasterFor({
      ANYCABLE_BROADCAST_ADAPTER: "redisx",
      REDIS_URL: `redis://127.0.0.1:${redis.port}`,
      ANYCABLE_REDIS_CHANNEL: "not-a-stream",
    });
    const attempt = broadcaster.broadcast("s", "x");
    await expect(attempt).rejects.toBeInstanceOf(BroadcastRejectedError);
    await expect(attempt).rejects.toThrow(/refused stream "s": WRONGTYPE/);
    expect(logs.at("error")[0]).toMatchObject({ stream: "s" });
    expect(broadcaster.pending).toBe(0);
  });
});

describe("nats adapter against nats-server", () => {
  let nats: NatsServer;
  let nc: NatsConnection;
  beforeAll(async () => {
    nats = await startNats();
    nc = await connect({ servers: `nats://127.0.0.1:${nats.port}` });
  });
  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
  });

  it("publishes each message on the subject, byte for byte", async () => {
    const received: string[] = [];
    const sub = nc.subscribe("_cable_nats_");
    void (async () => {
      for await (const m of sub) received.push(m.string());
    })();
    await nc.flush();
    const { broadcaster, logs } = broadcasterFor({
      ANYCABLE_NATS_SERVERS: `nats://127.0.0.1:${nats.port}`,
      ANYCABLE_NATS_CHANNEL: "_cable_nats_",
    });
    await publishAll(broadcaster);
    await waitFor(() => received.length === 4, {
      timeoutMs: 5_000,
      description: "4 messages",
      details: () => `got ${JSON.stringify(received)}`,
    });
    expect(received).toEqual(Object.values(EXPECTED));
    expect(logs.at("info").some((l) => l.msg.startsWith(`connected to NATS at nats://127.0.0.1:${nats.port}`))).toBe(true);
    sub.unsubscribe();
  });
});

interface Captured {
  method: string | undefined;
  url: string | undefined;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}

describe("nats adapter against a nats-server that denies the subject", () => {
  let nats: NatsServer;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "nats-conf-"));
    const config = join(dir, "nats.conf");
    writeFileSync(
      config,
      'authorization {\n  users = [ { user: app, password: pw, permissions: { publish: { deny: ["_denied_"] } } } ]\n}\n',
    );
    nats = await startNats({ args: ["-c", config] });
  });
  afterAll(async () => {
    await nats?.stop();
  });

  it("rejects loudly when the user may not publish to the subject, instead of resolving a message nobody gets", async () => {
    const { broadcaster, logs } = broadcasterFor({
      ANYCABLE_NATS_SERVERS: `nats://app:pw@127.0.0.1:${nats.port}`,
      ANYCABLE_NATS_CHANNEL: "_denied_",
    });
    const attempt = broadcaster.broadcast("s", "x");
    await expect(attempt).rejects.toBeInstanceOf(BroadcastRejectedError);
    await expect(attempt).rejects.toThrow(/refused stream "s": NATS server denied publishing to "_denied_" \(permissions violation\)/);
    expect(logs.at("error")).toMatchObject([{ stream: "s", msg: expect.stringMatching(/not retrying$/) }]);
    expect(broadcaster.pending).toBe(0);
  });
});

describe("http adapter against a local HTTP server", () => {
  let server: Server;
  let port: number;
  const requests: Captured[] = [];
  /** Status for the next requests, consumed in order; 201 once empty, like anycable-go. */
  const statuses: number[] = [];

  const read = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (chunk: string) => (body += chunk));
      req.on("end", () => resolve(body));
    });

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      requests.push({
        method: req.method,
        url: req.url,
        authorization: req.headers.authorization,
        contentType: req.headers["content-type"],
        body: await read(req),
      });
      res.statusCode = statuses.shift() ?? 201;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    port = typeof address === "object" && address !== null ? address.port : 0;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  afterEach(() => {
    requests.length = 0;
    statuses.length = 0;
  });

  it("POSTs each message as the JSON body with the bearer key derived from ANYCABLE_SECRET", async () => {
    const { broadcaster } = broadcasterFor({
      ANYCABLE_BROADCAST_ADAPTER: "http",
      ANYCABLE_HTTP_BROADCAST_URL: `http://127.0.0.1:${port}/_broadcast`,
      ANYCABLE_SECRET: "qwerty",
    });
    await publishAll(broadcaster);
    expect(requests.map((r) => r.body)).toEqual(Object.values(EXPECTED));
    for (const r of requests) {
      expect(r).toMatchObject({
        method: "POST",
        url: "/_broadcast",
        contentType: "application/json",
        authorization: "Bearer 42923a28b760e667fc92f7c6123bb07a282822b329dd2ef48e7aee7830d98485",
      });
    }
  });

  it("sends no Authorization header without a key", async () => {
    const { broadcaster } = broadcasterFor({
      ANYCABLE_BROADCAST_ADAPTER: "http",
      ANYCABLE_HTTP_BROADCAST_URL: `http://127.0.0.1:${port}/_broadcast`,
    });
    await broadcaster.broadcast("s", "x");
    expect(requests[0]?.authorization).toBeUndefined();
  });

  it("retries 5xx with backoff until it succeeds, and keeps order", async () => {
    statuses.push(503, 500);
    const { broadcaster, logs } = broadcasterFor({
      ANYCABLE_BROADCAST_ADAPTER: "http",
      ANYCABLE_HTTP_BROADCAST_URL: `http://127.0.0.1:${port}/_broadcast`,
    });
    await Promise.all([broadcaster.broadcast("s", "1"), broadcaster.broadcast("s", "2")]);
    expect(requests.map((r) => JSON.parse(r.body).data)).toEqual(["1", "1", "1", "2"]);
    expect(logs.at("warn")[0]?.msg).toMatch(
      /^cannot reach anycable-go HTTP broadcast at http:\/\/127\.0\.0\.1:\d+\/_broadcast, will keep retrying/,
    );
    expect(logs.at("warn")[0]?.reason).toMatch(/HTTP 503/);
  });

  it("fails loudly and at once on 401: a wrong key is not retried", async () => {
    statuses.push(401);
    const { broadcaster, logs } = broadcasterFor({
      ANYCABLE_BROADCAST_ADAPTER: "http",
      ANYCABLE_HTTP_BROADCAST_URL: `http://127.0.0.1:${port}/_broadcast`,
      ANYCABLE_BROADCAST_KEY: "wrong",
    });
    const attempt = broadcaster.broadcast("secret-stream", "x");
    await expect(attempt).rejects.toBeInstanceOf(BroadcastRejectedError);
    await expect(attempt).rejects.toThrow(/HTTP 401 Unauthorized: the broadcast key does not match/);
    expect(requests).toHaveLength(1);
    expect(logs.at("error")[0]).toMatchObject({
      stream: "secret-stream",
      msg: expect.stringMatching(/refused stream "secret-stream": HTTP 401/),
    });
    // The next publication is not held up by the refused one.
    await broadcaster.broadcast("secret-stream", "y");
  });

  it("retries connection errors until the endpoint comes up", async () => {
    const late = await freePort();
    const { broadcaster, logs } = broadcasterFor({
      ANYCABLE_BROADCAST_ADAPTER: "http",
      ANYCABLE_HTTP_BROADCAST_URL: `http://127.0.0.1:${late}/_broadcast`,
    });
    const delivered = broadcaster.broadcast("s", "late");
    await waitFor(() => logs.at("warn").length > 0, { timeoutMs: 5_000, description: "the first failed attempt to be logged" });
    expect(logs.at("warn")[0]?.reason).toMatch(/ECONNREFUSED/);
    const lateServer = createServer((req, res) => {
      void read(req).then((body) => {
        requests.push({ method: req.method, url: req.url, authorization: undefined, contentType: undefined, body });
        res.statusCode = 201;
        res.end();
      });
    });
    await new Promise<void>((resolve) => lateServer.listen(late, "127.0.0.1", resolve));
    try {
      await delivered;
      expect(requests.map((r) => r.body)).toEqual(['{"stream":"s","data":"late"}']);
      expect(logs.at("info").some((l) => /^connected to anycable-go HTTP broadcast/.test(l.msg))).toBe(true);
    } finally {
      lateServer.closeAllConnections();
      await new Promise<void>((resolve) => lateServer.close(() => resolve()));
    }
  });
});
