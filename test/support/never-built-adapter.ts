import type { BroadcastTransport } from "../../src/broadcast/transport.js";

/**
 * The createTransport of an adapter a test only declares, checks or configures: those tests never
 * start a broadcaster, so a call means the test reached further than it meant to.
 */
export function neverBuiltTransport(): BroadcastTransport {
  throw new Error("not built in this test");
}

/**
 * A complete adapter whose transport is never built, for tests of what is checked about an
 * adapter's declaration. A plain object, not yet through defineBroadcastAdapter, so that a test
 * can spread it and change or spoil one part (`{ ...neverBuiltAdapter, name: "Kafka" }`).
 */
export const neverBuiltAdapter = {
  name: "mine",
  configKey: "mine",
  env: {},
  settings: () => ({}),
  createTransport: neverBuiltTransport,
  describe: () => "",
};
