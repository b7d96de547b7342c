// What the factory hands the selected adapter and the broadcaster: the adapter's own settings, the
// shared reconnect policy, a logger bound to the broadcaster's context, and the queue's limits.
import { describe, expect, it } from "vitest";
import { defineBroadcastAdapter, type TransportContext } from "../../../src/broadcast/adapter.js";
import { loadBroadcastConfig } from "../../../src/broadcast/config.js";
import { BroadcastQueueFullError } from "../../../src/broadcast/errors.js";
import { createBroadcaster, createTransport } from "../../../src/broadcast/factory.js";
import type { BroadcastTransport, DeliveryOutcome, TransportListener } from "../../../src/broadcast/transport.js";
import { ConfigError } from "../../../src/config/errors.js";
import { z } from "zod";
import { captureLogger } from "../../support/index.js";

/** A transport that never connects: whatever is published waits in the queue. */
class UnreachableTransport implements BroadcastTransport {
  readonly kind = "Probe";
  readonly ready = false;
  constructor(readonly target: string) {}
  start(_listener: TransportListener): void {}
  async deliver(payloads: readonly string[]): Promise<DeliveryOutcome[]> {
    return payloads.map(() => ({ status: "retry", error: new Error("unreachable") }));
  }
  async stop(): Promise<void> {}
}

/** An adapter that records what it was built with. */
function probeAdapter() {
  const built: Array<{ settings: unknown; context: TransportContext }> = [];
  const adapter = defineBroadcastAdapter({
    name: "probe",
    configKey: "probe",
    env: { PROBE_TARGET: z.string().default("probe://here") },
    settings: (env) => ({ target: env.PROBE_TARGET }),
    createTransport: (settings, context) => {
      built.push({ settings, context });
      return new UnreachableTransport(settings.target);
    },
    describe: ({ target }) => `aimed at ${target}`,
  });
  return { adapter, built };
}

const configWith = (adapter: ReturnType<typeof probeAdapter>["adapter"], env: NodeJS.ProcessEnv = {}) =>
  loadBroadcastConfig({ ANYCABLE_BROADCAST_ADAPTER: "probe", ...env }, { adapters: [adapter] });

describe("createTransport", () => {
  it("builds the selected adapter's transport from its settings, the reconnect policy and the logger given", async () => {
    const { adapter, built } = probeAdapter();
    const config = configWith(adapter, { PROBE_TARGET: "probe://there" });
    const logs = captureLogger();
    const transport = createTransport(config, logs.logger);
    expect(transport.target).toBe("probe://there");
    expect(built).toHaveLength(1);
    expect(built[0]?.settings).toEqual({ target: "probe://there" });
    expect(built[0]?.context.reconnect).toEqual({ minDelayMs: 100, maxDelayMs: 5_000 });
    expect(built[0]?.context.logger).toBe(logs.logger);
    await transport.stop();
  });

  it("refuses an adapter the config was not read with, as a ConfigError listing the known ones", () => {
    const { adapter } = probeAdapter();
    const config = { ...configWith(adapter), adapter: "kafka" };
    expect(() => createTransport(config, captureLogger().logger)).toThrow(ConfigError);
    expect(() => createTransport(config, captureLogger().logger)).toThrow(
      'unknown broadcast adapter "kafka"; expected one of nats, redis, redisx, http, probe',
    );
  });
});

describe("createBroadcaster", () => {
  it("logs where it broadcasts, with the adapter's description, bound to component and adapter", async () => {
    const { adapter, built } = probeAdapter();
    const logs = captureLogger();
    const broadcaster = createBroadcaster(configWith(adapter, { ANYCABLE_BROADCAST_QUEUE_SIZE: "7" }), logs.logger);
    expect(logs.lines).toHaveLength(1);
    expect(logs.lines[0]).toMatchObject({
      level: 30,
      component: "broadcast",
      adapter: "probe",
      target: "probe://here",
      maxQueueSize: 7,
      msg: "broadcasting via Probe at probe://here (aimed at probe://here)",
    });
    // The transport logs with the same bindings.
    built[0]?.context.logger.info("from the transport");
    expect(logs.lines[1]).toMatchObject({ component: "broadcast", adapter: "probe", msg: "from the transport" });
    expect(built[0]?.context.reconnect).toEqual({ minDelayMs: 100, maxDelayMs: 5_000 });
    await broadcaster.close();
  });

  it("bounds the queue at ANYCABLE_BROADCAST_QUEUE_SIZE", async () => {
    const { adapter } = probeAdapter();
    const config = { ...configWith(adapter, { ANYCABLE_BROADCAST_QUEUE_SIZE: "2" }), flushTimeoutMs: 10 };
    const broadcaster = createBroadcaster(config, captureLogger().logger);
    await broadcaster.broadcast("a", "1");
    await broadcaster.broadcast("a", "2");
    await expect(broadcaster.broadcast("a", "3")).rejects.toBeInstanceOf(BroadcastQueueFullError);
    expect(broadcaster.pending).toBe(2);
    await broadcaster.close();
  });

  it("settles on delivery when the config says so, and the option given overrides the config", async () => {
    const { adapter } = probeAdapter();
    const settled = async (config: ReturnType<typeof configWith>, options?: { settleOn?: "accepted" | "delivered" }) => {
      const broadcaster = createBroadcaster({ ...config, flushTimeoutMs: 10 }, captureLogger().logger, options);
      const outcome = broadcaster.broadcast("a", "1").then(
        () => "resolved",
        (error: Error) => error.name,
      );
      await broadcaster.close();
      return outcome;
    };
    // Accepted: resolved at once. Delivered: still pending at close(), so rejected as not sent.
    expect(await settled(configWith(adapter))).toBe("resolved");
    expect(await settled(configWith(adapter, { ANYCABLE_BROADCAST_SETTLE_ON: "delivered" }))).toBe("BroadcastClosedError");
    expect(await settled(configWith(adapter), { settleOn: "delivered" })).toBe("BroadcastClosedError");
    expect(await settled(configWith(adapter, { ANYCABLE_BROADCAST_SETTLE_ON: "delivered" }), { settleOn: "accepted" })).toBe("resolved");
  });

  it("settles on acceptance for a config made by hand without settleOn", async () => {
    const { adapter } = probeAdapter();
    const { settleOn: _omitted, ...config } = { ...configWith(adapter), flushTimeoutMs: 10 };
    const broadcaster = createBroadcaster(config, captureLogger().logger);
    await expect(broadcaster.broadcast("a", "1")).resolves.toBeUndefined();
    expect(broadcaster.pending).toBe(1);
    await broadcaster.close();
  });
});
