// The Redis registry against a real redis-server: the contract, sharing between two clients
// (an RPC process and a dashboard process), and behaviour while Redis is down.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { silentLogger } from "../../../../src/index.js";
import { transcriptEvent } from "../../../../channels/calls/call-event.js";
import { RedisCallRegistry } from "../../../../channels/calls/redis-call-registry.js";
import { callRegistryContract } from "../../../unit/channels/support/call-registry-contract.js";
import { captureLogger, startRedis, waitFor, withTimeout, type RedisServer } from "../../../support/index.js";

let redis: RedisServer;
const SID = `CA${"ab".repeat(16)}`;

// Every registry gets its own key prefix, so tests never see each other's keys.
const registry = (
  limits?: ConstructorParameters<typeof RedisCallRegistry>[0]["limits"],
  prefix = `test-${randomBytes(4).toString("hex")}:`,
) => new RedisCallRegistry({ url: redis.url, logger: silentLogger(), keyPrefix: prefix, ...(limits ? { limits } : {}) });

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await redis?.stop();
});

describe("RedisCallRegistry", () => {
  callRegistryContract((limits) => registry(limits));

  it("is shared by separate clients using the same prefix", async () => {
    const prefix = "shared:";
    const writer = registry(undefined, prefix);
    const reader = registry(undefined, prefix);
    try {
      await writer.callStarted(SID, Date.now());
      await writer.recordEvent(SID, transcriptEvent("a", "Hi", false, 1));
      await writer.recordEvent(SID, transcriptEvent("a", "Hi there.", true, 2));
      expect((await reader.liveCalls()).map((c) => c.sid)).toEqual([SID]);
      expect(await reader.events(SID)).toEqual([{ kind: "transcript", key: "event_a", at: 2, text: "Hi there.", final: true }]);
    } finally {
      await Promise.all([writer.close(), reader.close()]);
    }
  });

  it("expires a timeline eventsTtlMs after its last event", async () => {
    const timelineKeys = (prefix: string) => [`${prefix}call:{${SID}}:order`, `${prefix}call:{${SID}}:events`];
    // Two registries, so no read races the expiry: the TTL is read on one whose TTL outlasts any
    // pause of a busy host between the write and the reads, and the expiry is watched on one whose
    // TTL runs out at once. (Reading a 200 ms TTL back took up to 208 ms under load.)
    const lastingPrefix = `ttl-${randomBytes(4).toString("hex")}:`;
    const lasting = registry({ eventsTtlMs: 60_000 }, lastingPrefix);
    const shortPrefix = `ttl-${randomBytes(4).toString("hex")}:`;
    const shortKeys = timelineKeys(shortPrefix);
    const shortLived = registry({ eventsTtlMs: 200 }, shortPrefix);
    const { Redis } = await import("ioredis");
    const raw = new Redis(redis.url);
    const listener = new Redis(redis.url);
    try {
      await lasting.recordEvent(SID, transcriptEvent("a", "Kept a minute.", true, 1));
      expect(await lasting.events(SID)).toHaveLength(1);
      for (const key of timelineKeys(lastingPrefix)) {
        const ttl = await raw.pttl(key);
        expect(ttl, key).toBeGreaterThan(0);
        expect(ttl, key).toBeLessThanOrEqual(60_000);
      }

      // Redis announces each key it expires: the test waits for those events, not for a guess.
      await raw.config("SET", "notify-keyspace-events", "Ex");
      await listener.subscribe("__keyevent@0__:expired");
      const expired = new Set<string>();
      const bothExpired = new Promise<void>((resolve) =>
        listener.on("message", (_channel: string, key: string) => {
          expired.add(key);
          if (shortKeys.every((k) => expired.has(k))) resolve();
        }),
      );
      await shortLived.recordEvent(SID, transcriptEvent("a", "Soon gone.", true, 1));
      await withTimeout(bothExpired, 10_000, `Redis to expire ${shortKeys.join(" and ")}`);
      expect(await shortLived.events(SID)).toEqual([]);
    } finally {
      await Promise.all([lasting.close(), shortLived.close(), raw.quit(), listener.quit()]);
    }
  });

  it("skips entries it cannot read instead of failing the page", async () => {
    const prefix = "corrupt:";
    const store = registry(undefined, prefix);
    try {
      await store.recordEvent(SID, transcriptEvent("a", "Good.", true, 1));
      const { Redis } = await import("ioredis");
      const raw = new Redis(redis.url);
      await raw.hset(`${prefix}call:{${SID}}:events`, "event_a", "{not json");
      await raw.quit();
      expect(await store.events(SID)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it("stays bounded under a flood: 370 calls x 20 transcripts of 10 KB (74 MB offered)", { timeout: 120_000 }, async () => {
    const prefix = `flood-${randomBytes(4).toString("hex")}:`;
    const logs = captureLogger({ level: "debug" });
    const flooded = new RedisCallRegistry({ url: redis.url, logger: logs.logger, keyPrefix: prefix });
    const { Redis } = await import("ioredis");
    const raw = new Redis(redis.url);
    try {
      const text = "x".repeat(10_000);
      const sids = Array.from({ length: 370 }, (_, i) => `CA${i.toString(16).padStart(32, "0")}`);
      let dropped = 0;
      for (const [i, sid] of sids.entries()) {
        await flooded.callStarted(sid, Date.now());
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, n) => flooded.recordEvent(sid, transcriptEvent(`r${n}`, text, true, i * 100 + n))),
        );
        dropped += results.reduce((sum, r) => sum + r.dropped, 0);
      }
      expect((await flooded.liveCalls()).length).toBe(200);
      const evicted = logs.lines.filter((l) => l.msg.startsWith("call registry full")).flatMap((l) => l.evicted as string[]);
      expect(evicted).toEqual(sids.slice(0, 170));
      // Every eviction is named, but not every one is a warning (one per EVICTION_WARNING_INTERVAL_MS).
      expect(logs.at("warn").filter((l) => l.msg.startsWith("call registry full")).length).toBeLessThan(170);
      expect(dropped).toBeGreaterThan(0);

      let keys: string[] = [];
      let cursor = "0";
      do {
        const [next, batch] = await raw.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
        cursor = next;
        keys = keys.concat(batch);
      } while (cursor !== "0");
      let bytes = 0;
      for (const key of keys) bytes += (await raw.memory("USAGE", key)) ?? 0;
      // 200 timelines of at most 64 KiB each, plus Redis's per-key overhead.
      expect(bytes).toBeLessThan(16 * 1024 * 1024);
      expect(keys.filter((k) => k.endsWith(":events")).length).toBe(200);
      for (const sid of sids.slice(-3)) {
        const stored = await raw.hgetall(`${prefix}call:{${sid}}:events`);
        const size = Object.values(stored).reduce((sum, v) => sum + Buffer.byteLength(v), 0);
        expect(size).toBeLessThanOrEqual(64 * 1024);
      }
      expect(logs.lines.some((l) => l.msg.includes("dropped the least recently active call timelines"))).toBe(true);
    } finally {
      await raw.quit();
      await flooded.close();
    }
  });

  it("fails fast (bounded) while Redis is down, and recovers when it is back", async () => {
    const own = await startRedis();
    const store = new RedisCallRegistry({ url: own.url, logger: silentLogger(), commandTimeoutMs: 500 });
    try {
      await store.callStarted(SID, Date.now());
      // The process only: RedisServer.stop() also deletes the working directory restart() needs.
      await own.process.stop();
      await expect(store.liveCalls()).rejects.toThrow();
      await own.restart();
      let calls: unknown;
      for (let attempt = 0; attempt < 50 && calls === undefined; attempt++) {
        calls = await store.liveCalls().catch(() => undefined);
        if (calls === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // No persistence: the restarted Redis is empty, but the registry works again.
      expect(calls).toEqual([]);
    } finally {
      await store.close();
      await own.stop();
    }
  });
});

describe("the RPC application module (channels/app.ts) with REDIS_URL", () => {
  it("names its Redis connection, and closes the registry it made when the server shuts it down", async () => {
    const { default: callMonitorApplication } = await import("../../../../channels/app.js");
    const { RecordingBroadcaster } = await import("../../../../src/testing/index.js");
    const { Redis } = await import("ioredis");
    const admin = new Redis(redis.url);
    const registryClients = async () =>
      ((await admin.client("LIST")) as string).split("\n").filter((line) => line.includes(" name=call-monitor-registry "));
    try {
      const before = (await registryClients()).length;
      const app = callMonitorApplication({
        env: { REDIS_URL: redis.url },
        logger: silentLogger(),
        broadcaster: new RecordingBroadcaster(),
      });
      await waitFor(async () => (await registryClients()).length === before + 1, { description: "the registry's Redis connection" });
      await app.close?.();
      await waitFor(async () => (await registryClients()).length === before, { description: "the registry's connection to be closed" });
    } finally {
      admin.disconnect();
    }
  });
});
