import { loadBroadcastConfig, type BroadcastConfig } from "../../../../src/broadcast/config.js";

/**
 * A config read from the given env (exactly as in production) with reconnect delays shortened
 * so outages in tests end in milliseconds rather than seconds.
 */
export function testConfig(env: NodeJS.ProcessEnv, overrides: Partial<BroadcastConfig> = {}): BroadcastConfig {
  return { ...loadBroadcastConfig(env), reconnect: { minDelayMs: 20, maxDelayMs: 200 }, flushTimeoutMs: 3_000, ...overrides };
}
