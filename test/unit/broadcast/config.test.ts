// Env names and defaults shared with anycable-go and the Ruby gem; errors a person can act on.
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { checkBroadcastAdapters, deriveBroadcastKey, loadBroadcastConfig } from "../../../src/broadcast/config.js";
import type { AnyBroadcastAdapter } from "../../../src/broadcast/adapter.js";
import { ConfigError } from "../../../src/config/errors.js";
import { neverBuiltAdapter } from "../../support/never-built-adapter.js";

describe("loadBroadcastConfig", () => {
  it("defaults to NATS on the local default server, like the reference", () => {
    const c = loadBroadcastConfig({});
    expect(c.adapter).toBe("nats");
    expect(c.nats).toEqual({ servers: ["nats://127.0.0.1:4222"], subject: "__anycable__" });
    expect(c.redis).toEqual({ url: "redis://localhost:6379", channel: "__anycable__" });
    expect(c.http).toMatchObject({ url: "http://localhost:8090/_broadcast", urlIsDefault: true, key: undefined, keySource: "none" });
    expect(c.queueSize).toBe(10_000);
    expect(c.flushTimeoutMs).toBe(5_000);
  });

  it("reads every adapter name, case-insensitively", () => {
    for (const name of ["nats", "redis", "redisx", "http", "REDISX"]) {
      expect(loadBroadcastConfig({ ANYCABLE_BROADCAST_ADAPTER: name }).adapter).toBe(name.toLowerCase());
    }
  });

  it("rejects an unknown adapter with a readable ConfigError", () => {
    const attempt = () => loadBroadcastConfig({ ANYCABLE_BROADCAST_ADAPTER: "kafka" });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/ANYCABLE_BROADCAST_ADAPTER: unknown broadcast adapter "kafka"; expected one of nats, redis, redisx, http/);
  });

  it("rejects anycable-go's comma list: a publisher talks to one broker", () => {
    expect(() => loadBroadcastConfig({ ANYCABLE_BROADCAST_ADAPTER: "http,redis" })).toThrow(/unknown broadcast adapter "http,redis"/);
  });

  it("splits ANYCABLE_NATS_SERVERS on commas", () => {
    const c = loadBroadcastConfig({ ANYCABLE_NATS_SERVERS: "nats://a:4222, nats://b:4223 ,c:4224", ANYCABLE_NATS_CHANNEL: "_cable_" });
    expect(c.nats).toEqual({ servers: ["nats://a:4222", "nats://b:4223", "c:4224"], subject: "_cable_" });
    expect(() => loadBroadcastConfig({ ANYCABLE_NATS_SERVERS: "nats://a b" })).toThrow(/ANYCABLE_NATS_SERVERS/);
  });

  it("takes each NATS server as nats.js does: with or without a scheme, port, credentials or trailing slash", () => {
    const servers = [
      "nats://127.0.0.1:4222",
      "tls://nats.example.com:4443",
      "ws://nats.internal:8080/",
      "wss://nats.example.com",
      "nats.internal:4222",
      "nats://pub:p%40ss@10.0.0.7:4222",
    ];
    expect(loadBroadcastConfig({ ANYCABLE_NATS_SERVERS: `${servers.join(",")},` }).nats.servers).toEqual(servers);
    // Empty entries (a doubled or trailing comma) are skipped.
    expect(loadBroadcastConfig({ ANYCABLE_NATS_SERVERS: ",nats://a:4222,, ,nats://b:4222," }).nats.servers).toEqual([
      "nats://a:4222",
      "nats://b:4222",
    ]);
  });

  it("refuses a NATS server with a path, another scheme or a blank, naming the expected form", () => {
    for (const server of ["nats://h:4222/x", "http://h:4222", "nats://h :4222"]) {
      expect(() => loadBroadcastConfig({ ANYCABLE_NATS_SERVERS: server }), server).toThrow(
        /ANYCABLE_NATS_SERVERS.*expected a comma-separated list of NATS servers, e\.g\. nats:\/\/127\.0\.0\.1:4222/,
      );
    }
    expect(() => loadBroadcastConfig({ ANYCABLE_NATS_SERVERS: " , " })).toThrow(/ANYCABLE_NATS_SERVERS.*expected at least one NATS server/);
  });

  it("refuses a NATS server whose port is out of range or not a number, with or without a scheme", () => {
    for (const server of ["nats://h:65536", "h:123456", "tls://h:99999", "nats://h:abc", "nats://a:4222,b:70000"]) {
      expect(() => loadBroadcastConfig({ ANYCABLE_NATS_SERVERS: server }), server).toThrow(
        /ANYCABLE_NATS_SERVERS.*expected a comma-separated list of NATS servers/,
      );
    }
    expect(loadBroadcastConfig({ ANYCABLE_NATS_SERVERS: "nats://h:65535,[::1]:4222" }).nats.servers).toEqual([
      "nats://h:65535",
      "[::1]:4222",
    ]);
  });

  it("takes ANYCABLE_REDIS_URL, else REDIS_URL", () => {
    expect(loadBroadcastConfig({ REDIS_URL: "redis://r:1/2" }).redis.url).toBe("redis://r:1/2");
    expect(loadBroadcastConfig({ REDIS_URL: "redis://r:1", ANYCABLE_REDIS_URL: "rediss://a:2" }).redis.url).toBe("rediss://a:2");
    expect(loadBroadcastConfig({ REDIS_URL: "", ANYCABLE_REDIS_URL: "" }).redis.url).toBe("redis://localhost:6379");
    expect(() => loadBroadcastConfig({ REDIS_URL: "localhost:6379" })).toThrow(/REDIS_URL: expected a redis or rediss URL/);
  });

  it("uses ANYCABLE_REDIS_CHANNEL as the channel (redis) and the stream (redisx)", () => {
    expect(loadBroadcastConfig({ ANYCABLE_BROADCAST_ADAPTER: "redisx", ANYCABLE_REDIS_CHANNEL: "bx" }).redis.channel).toBe("bx");
  });

  it("derives the broadcast key from ANYCABLE_SECRET as hex HMAC-SHA256(secret, 'broadcast-cable')", () => {
    const expected = createHmac("sha256", "qwerty").update("broadcast-cable").digest("hex");
    // The same value anycable-go's own features/sse.testfile uses for secret "qwerty".
    expect(expected).toBe("42923a28b760e667fc92f7c6123bb07a282822b329dd2ef48e7aee7830d98485");
    expect(deriveBroadcastKey("qwerty")).toBe(expected);
    const c = loadBroadcastConfig({ ANYCABLE_SECRET: "qwerty", ANYCABLE_BROADCAST_ADAPTER: "http" });
    expect(c.http.key).toBe(expected);
    expect(c.http.keySource).toBe("ANYCABLE_SECRET");
  });

  it("prefers an explicit ANYCABLE_BROADCAST_KEY, and 'none' means no key at all", () => {
    expect(loadBroadcastConfig({ ANYCABLE_BROADCAST_KEY: "k", ANYCABLE_SECRET: "s" }).http).toMatchObject({
      key: "k",
      keySource: "ANYCABLE_BROADCAST_KEY",
    });
    expect(loadBroadcastConfig({ ANYCABLE_BROADCAST_KEY: "none", ANYCABLE_SECRET: "s" }).http).toMatchObject({
      key: undefined,
      keySource: "none",
    });
    expect(loadBroadcastConfig({ ANYCABLE_SECRET: "none" }).http.key).toBeUndefined();
  });

  it("trims the broadcast key and the secret, so a stray space in an env file does not change the key", () => {
    expect(loadBroadcastConfig({ ANYCABLE_BROADCAST_KEY: " k " }).http.key).toBe("k");
    expect(loadBroadcastConfig({ ANYCABLE_SECRET: " qwerty " }).http.key).toBe(deriveBroadcastKey("qwerty"));
    expect(loadBroadcastConfig({ ANYCABLE_BROADCAST_KEY: " none ", ANYCABLE_SECRET: "s" }).http).toMatchObject({
      key: undefined,
      keySource: "none",
    });
  });

  it("defaults the HTTP URL to anycable-go's main port when a key is set, as the Ruby gem does", () => {
    expect(loadBroadcastConfig({ ANYCABLE_SECRET: "s" }).http.url).toBe("http://localhost:8080/_broadcast");
    expect(loadBroadcastConfig({ ANYCABLE_BROADCAST_KEY: "k" }).http.url).toBe("http://localhost:8080/_broadcast");
    const explicit = loadBroadcastConfig({ ANYCABLE_SECRET: "s", ANYCABLE_HTTP_BROADCAST_URL: "https://ws.example.com/_broadcast" }).http;
    expect(explicit).toMatchObject({ url: "https://ws.example.com/_broadcast", urlIsDefault: false });
    expect(() => loadBroadcastConfig({ ANYCABLE_HTTP_BROADCAST_URL: "ws.example.com" })).toThrow(/expected a http or https URL/);
  });

  it("reads the queue size and flush timeout", () => {
    const c = loadBroadcastConfig({ ANYCABLE_BROADCAST_QUEUE_SIZE: "50", ANYCABLE_BROADCAST_FLUSH_TIMEOUT: "2" });
    expect(c.queueSize).toBe(50);
    expect(c.flushTimeoutMs).toBe(2_000);
    expect(() => loadBroadcastConfig({ ANYCABLE_BROADCAST_QUEUE_SIZE: "0" })).toThrow(/ANYCABLE_BROADCAST_QUEUE_SIZE/);
    expect(() => loadBroadcastConfig({ ANYCABLE_BROADCAST_QUEUE_SIZE: "lots" })).toThrow(/positive whole number/);
  });

  it("settles broadcasts on acceptance unless ANYCABLE_BROADCAST_SETTLE_ON says delivered", () => {
    expect(loadBroadcastConfig({}).settleOn).toBe("accepted");
    expect(loadBroadcastConfig({ ANYCABLE_BROADCAST_SETTLE_ON: "delivered" }).settleOn).toBe("delivered");
    expect(() => loadBroadcastConfig({ ANYCABLE_BROADCAST_SETTLE_ON: "sent" })).toThrow(
      /ANYCABLE_BROADCAST_SETTLE_ON: expected "accepted" or "delivered", got "sent"/,
    );
  });

  it("lists every problem at once", () => {
    try {
      loadBroadcastConfig({ ANYCABLE_BROADCAST_ADAPTER: "x", REDIS_URL: "nope" });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toMatch(/^Invalid broadcasting configuration:\n {2}ANYCABLE_BROADCAST_ADAPTER: .*\n {2}REDIS_URL: /);
    }
  });

  it("takes the adapter name with spaces around it, as an env file may leave them", () => {
    expect(loadBroadcastConfig({ ANYCABLE_BROADCAST_ADAPTER: " Redis " }).adapter).toBe("redis");
  });

  it("reconnects from 100 ms, doubling up to 5 s, as anycable-go's broker clients do", () => {
    expect(loadBroadcastConfig({}).reconnect).toEqual({ minDelayMs: 100, maxDelayMs: 5_000 });
  });

  it("gives every adapter its settings under its configKey, redis and redisx the same ones", () => {
    const c = loadBroadcastConfig({ ANYCABLE_BROADCAST_ADAPTER: "redisx" });
    expect(Object.keys(c).sort()).toEqual([
      "adapter",
      "adapters",
      "flushTimeoutMs",
      "http",
      "nats",
      "queueSize",
      "reconnect",
      "redis",
      "settleOn",
    ]);
    expect(c.adapters.map((a) => a.name)).toEqual(["nats", "redis", "redisx", "http"]);
  });
});

describe("checkBroadcastAdapters", () => {
  const adapter = (overrides: Partial<AnyBroadcastAdapter>): AnyBroadcastAdapter => ({ ...neverBuiltAdapter, ...overrides });

  it("accepts adapters of one's own beside the built-in ones, without reading any variable", () => {
    expect(() => checkBroadcastAdapters([])).not.toThrow();
    const mine = adapter({ env: { MINE_URL: z.string().url() } });
    expect(() => checkBroadcastAdapters([mine, adapter({ name: "other", configKey: "other" })])).not.toThrow();
  });

  it.each(["adapter", "adapters", "queueSize", "flushTimeoutMs", "reconnect", "settleOn"])(
    "refuses settings kept under the broadcaster's own key %s",
    (configKey) => {
      expect(() => checkBroadcastAdapters([adapter({ configKey })])).toThrow(
        new TypeError(`broadcast adapter "mine" cannot keep its settings under "${configKey}"`),
      );
    },
  );

  it("refuses a taken name, other settings under a taken key, or another schema for a variable already read", () => {
    expect(() => checkBroadcastAdapters([adapter({ name: "redisx", configKey: "x" })])).toThrow(
      new TypeError('two broadcast adapters are named "redisx"'),
    );
    expect(() => checkBroadcastAdapters([adapter({ configKey: "nats" })])).toThrow(
      new TypeError('broadcast adapter "mine" keeps other settings under "nats" than an adapter before it'),
    );
    expect(() => checkBroadcastAdapters([adapter({ env: { REDIS_URL: z.string() } })])).toThrow(
      new TypeError('broadcast adapter "mine" reads REDIS_URL with another schema than adapter "redisx"'),
    );
    expect(() => checkBroadcastAdapters([adapter({ env: { ANYCABLE_BROADCAST_FLUSH_TIMEOUT: z.string() } })])).toThrow(
      new TypeError('broadcast adapter "mine" reads ANYCABLE_BROADCAST_FLUSH_TIMEOUT with another schema than the broadcaster'),
    );
  });

  it("lets adapters share a key when they share its settings, as redis and redisx do", () => {
    const settings = () => ({ shared: true });
    const pair = [adapter({ name: "one", configKey: "both", settings }), adapter({ name: "two", configKey: "both", settings })];
    expect(() => checkBroadcastAdapters(pair)).not.toThrow();
    const c = loadBroadcastConfig({ ANYCABLE_BROADCAST_ADAPTER: "two" }, { adapters: pair });
    expect((c as unknown as Record<string, unknown>).both).toEqual({ shared: true });
  });
});
