import { describe, expect, it } from "vitest";
import { loadBridgeConfig } from "../../../../channels/bridge/bridge-config.js";

const ENV = {
  CABLE_URL: "ws://127.0.0.1:8080/cable",
  TWILIO_STREAM_URL: "wss://calls.example.com/twilio",
  TWILIO_AUTH_TOKEN: "token",
  TWILIO_ACCOUNT_SID: "AC0123456789abcdef0123456789abcdef",
  TWILIO_BRIDGE_SECRET: "bridge-secret-0123456789",
};

describe("bridge configuration", () => {
  it("reads the environment, with defaults for the listen address and the heartbeat", () => {
    expect(loadBridgeConfig(ENV)).toEqual({
      host: "127.0.0.1",
      port: 8081,
      cableUrl: ENV.CABLE_URL,
      streamUrl: ENV.TWILIO_STREAM_URL,
      authToken: "token",
      accountSid: ENV.TWILIO_ACCOUNT_SID,
      secret: ENV.TWILIO_BRIDGE_SECRET,
      heartbeatIntervalMs: 30_000,
      flushTimeoutMs: 5_000,
      maxStreams: 200,
    });
    expect(loadBridgeConfig({ ...ENV, TWILIO_BRIDGE_HOST: "[::1]:9000", TWILIO_BRIDGE_HEARTBEAT_INTERVAL: "5" })).toMatchObject({
      host: "::1",
      port: 9000,
      heartbeatIntervalMs: 5_000,
    });
  });

  it("reports every problem at once", () => {
    expect(() =>
      loadBridgeConfig({ TWILIO_BRIDGE_HOST: "8081", TWILIO_STREAM_URL: "ws://x/y", TWILIO_BRIDGE_HEARTBEAT_INTERVAL: "0" }),
    ).toThrow(
      [
        "Invalid media-stream bridge configuration:",
        "  TWILIO_BRIDGE_HOST: must be host:port, e.g. 127.0.0.1:8081",
        "  CABLE_URL: is not set",
        "  TWILIO_STREAM_URL: must be the public wss:// URL Twilio connects to",
        "  TWILIO_AUTH_TOKEN: is not set",
        "  TWILIO_ACCOUNT_SID: is not set",
        "  TWILIO_BRIDGE_HEARTBEAT_INTERVAL: must be a whole number of seconds",
        "  TWILIO_BRIDGE_SECRET: is not set (nor ANYCABLE_SECRET to derive it from)",
      ].join("\n"),
    );
  });
});
