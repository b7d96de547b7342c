// `npm run web` as a person runs it: a separate process, configured by the environment,
// sharing the call registry with the RPC side through Redis, stopped by SIGTERM.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { silentLogger } from "../../../../src/index.js";
import { RedisCallRegistry } from "../../../../channels/calls/redis-call-registry.js";
import {
  freePort,
  REPO_ROOT,
  nodeChildEnv,
  spawnProcess,
  startRedis,
  waitFor,
  waitWhileRunning,
  type ManagedProcess,
  type RedisServer,
} from "../../../support/index.js";

const SID = "CA00112233445566778899aabbccddeeff";
let redis: RedisServer;
let port: number;

beforeAll(async () => {
  redis = await startRedis();
  port = await freePort();
});

afterAll(async () => {
  await redis?.stop();
});

async function startWeb(env: Record<string, string>): Promise<ManagedProcess> {
  return spawnProcess({
    name: "npm run web",
    // As `npm run web` runs it: node with tsx's loader, no tsx CLI wrapper relaying signals.
    command: process.execPath,
    args: ["--import", "tsx", join(REPO_ROOT, "channels", "web", "main.ts")],
    cwd: REPO_ROOT,
    env: nodeChildEnv(env),
  });
}

describe("npm run web", () => {
  it("serves pages listing calls another process recorded, and stops cleanly on SIGTERM", async () => {
    const rpcSide = new RedisCallRegistry({ url: redis.url, logger: silentLogger() });
    await rpcSide.callStarted(SID, Date.now());
    await rpcSide.close();

    const web = await startWeb({
      PORT: String(port),
      ANYCABLE_CABLE_READY_SECRET: "web-secret",
      REDIS_URL: redis.url,
      // Broadcasting to the same Redis keeps the process from retrying a NATS that is not there.
      ANYCABLE_BROADCAST_ADAPTER: "redis",
    });
    const base = `http://127.0.0.1:${port}`;
    await waitWhileRunning(web, async () => (await fetch(`${base}/health`)).ok, {
      timeoutMs: 30_000,
      description: "npm run web to answer /health",
    });
    const page = await (await fetch(`${base}/`)).text();
    expect(page).toContain(`<li id="call_${SID}"`);
    expect(page).toContain('<meta name="cable-url" content="ws://localhost:8080/cable">');
    expect(page).toContain("Calls are disabled");
    // Stdout logs are written in batches (up to 100 ms late, src/logging/logger.ts): wait for the line.
    await waitFor(() => /placing calls is disabled/.test(web.logs()), {
      timeoutMs: 5_000,
      description: "the web process to log that placing calls is disabled",
    });

    web.signal("SIGTERM");
    const exit = await web.exited;
    expect(exit.code).toBe(0);
  });

  it("refuses to start without a Cable Ready secret, saying what to set", async () => {
    const web = await startWeb({ PORT: String(port), ANYCABLE_BROADCAST_ADAPTER: "redis", REDIS_URL: redis.url });
    const exit = await web.exited;
    expect(exit.code).toBe(1);
    expect(web.logs()).toContain("ANYCABLE_CABLE_READY_SECRET");
    expect(web.logs()).toContain("--cable_ready --cable_ready_secret");
  });
});
