import { silentLogger } from "../../../../src/index.js";
import type { CallCableOptions } from "../../../../channels/bridge/call-cable.js";

/** A call cable's options for tests against a loopback Action Cable server: small queue, quiet log, 5 s handshake. */
export function callCableOptions(url: string, identifier: string, overrides: Partial<CallCableOptions> = {}): CallCableOptions {
  return {
    url,
    headers: {},
    identifier,
    logger: silentLogger(),
    handshakeTimeoutMs: 5_000,
    maxQueued: 8,
    onLost: () => undefined,
    ...overrides,
  };
}
