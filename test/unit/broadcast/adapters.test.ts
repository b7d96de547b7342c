// The built-in adapters as modules: each declares its name, where its settings live and what the
// start-up line says about it; the one list decides which names ANYCABLE_BROADCAST_ADAPTER takes.
import { describe, expect, it } from "vitest";
import { BROADCAST_ADAPTERS, BUILT_IN_BROADCAST_ADAPTERS } from "../../../src/broadcast/adapters.js";
import { loadBroadcastConfig } from "../../../src/broadcast/config.js";
import { createTransport } from "../../../src/broadcast/factory.js";
import { silentLogger } from "../../../src/logging/logger.js";

describe("built-in broadcast adapters", () => {
  it("are nats, redis, redisx and http, in that order", () => {
    expect(BROADCAST_ADAPTERS).toEqual(["nats", "redis", "redisx", "http"]);
    expect(BUILT_IN_BROADCAST_ADAPTERS.map((adapter) => adapter.configKey)).toEqual(["nats", "redis", "redis", "http"]);
  });

  it("describe their target for the start-up line", () => {
    const config = loadBroadcastConfig({ ANYCABLE_NATS_CHANNEL: "_n_", ANYCABLE_REDIS_CHANNEL: "_r_", ANYCABLE_SECRET: "s" });
    const [nats, redis, redisx, http] = BUILT_IN_BROADCAST_ADAPTERS;
    expect(nats.describe(config.nats)).toBe("subject _n_");
    expect(redis.describe(config.redis)).toBe("channel _r_");
    expect(redisx.describe(config.redis)).toBe("stream _r_");
    expect(http.describe(config.http)).toBe(
      "authorization key from ANYCABLE_SECRET; default URL; set ANYCABLE_HTTP_BROADCAST_URL to change",
    );
    const explicit = loadBroadcastConfig({ ANYCABLE_HTTP_BROADCAST_URL: "http://127.0.0.1:9/_broadcast" });
    expect(http.describe(explicit.http)).toBe("no authorization; ANYCABLE_HTTP_BROADCAST_URL");
  });

  it("build the selected adapter's transport from its settings, password masked in the target", async () => {
    const cases = [
      [{ ANYCABLE_NATS_SERVERS: "nats://a:1,b:2" }, "NATS", "nats://a:1,b:2"],
      [{ ANYCABLE_BROADCAST_ADAPTER: "redis", REDIS_URL: "redis://:pw@r:1/0" }, "Redis", "redis://:***@r:1/0"],
      [{ ANYCABLE_BROADCAST_ADAPTER: "redisx", REDIS_URL: "redis://r:1" }, "Redis stream", "redis://r:1"],
      [
        { ANYCABLE_BROADCAST_ADAPTER: "http", ANYCABLE_HTTP_BROADCAST_URL: "https://u:pw@h/_broadcast" },
        "anycable-go HTTP broadcast",
        "https://u:***@h/_broadcast",
      ],
    ] as const;
    for (const [env, kind, target] of cases) {
      // Built but never started: nothing connects.
      const transport = createTransport(loadBroadcastConfig(env), silentLogger());
      expect({ kind: transport.kind, target: transport.target }).toEqual({ kind, target });
      await transport.stop();
    }
  });

  it("refuses a config whose adapter is not among those it was read with", () => {
    const config = { ...loadBroadcastConfig({}), adapter: "kafka" };
    expect(() => createTransport(config, silentLogger())).toThrow(
      /unknown broadcast adapter "kafka"; expected one of nats, redis, redisx, http/,
    );
  });
});
