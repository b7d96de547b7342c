import { Redis } from "ioredis";
import { existsSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";

import { isPortOpen } from "../../support/ports.js";
import { startRedis, type RedisServer } from "../../support/redis.js";

describe("startRedis", () => {
  let redis: RedisServer | undefined;
  let client: Redis | undefined;

  afterEach(async () => {
    client?.disconnect();
    client = undefined;
    await redis?.stop();
    redis = undefined;
  });

  it("runs a real redis-server on loopback that clients can use", async () => {
    redis = await startRedis();
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(redis.port).not.toBe(6379);
    client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    await client.set("greeting", "hello");
    expect(await client.get("greeting")).toBe("hello");
    // No persistence configured: nothing survives a restart, and nothing is written to disk.
    expect(await client.config("GET", "save")).toEqual(["save", ""]);
    expect(await client.config("GET", "appendonly")).toEqual(["appendonly", "no"]);
  });

  it("restarts on the same port, and stop() frees the port and removes its directory", async () => {
    redis = await startRedis();
    const { port } = redis;
    const dir = await (async () => {
      const c = new Redis(redis.url, { lazyConnect: true });
      await c.connect();
      const [, value] = (await c.config("GET", "dir")) as [string, string];
      c.disconnect();
      return value;
    })();
    const firstPid = redis.process.pid;

    await redis.restart();
    expect(redis.port).toBe(port);
    expect(redis.process.pid).not.toBe(firstPid);
    expect(await redis.ping()).toBe(true);

    await redis.stop();
    expect(await redis.ping()).toBe(false);
    expect(await isPortOpen(port)).toBe(false);
    expect(existsSync(dir)).toBe(false);
    redis = undefined;
  });

  it("restarts after stop() on the same port (a broker that went away and came back)", async () => {
    redis = await startRedis();
    const { port } = redis;
    await redis.stop();
    expect(await redis.ping()).toBe(false);
    await redis.restart();
    expect(redis.port).toBe(port);
    expect(redis.process.isRunning()).toBe(true);
    expect(await redis.ping()).toBe(true);
  });

  it("lets a client ride through a restart (reconnect scenario)", async () => {
    redis = await startRedis();
    client = new Redis(redis.url, { retryStrategy: () => 50, maxRetriesPerRequest: null });
    await client.set("k", "1");
    await redis.restart();
    // Fresh server: the key is gone, but the same client reconnects and works.
    expect(await client.get("k")).toBeNull();
    await client.set("k", "2");
    expect(await client.get("k")).toBe("2");
  });
});
