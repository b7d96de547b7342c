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

  /** The one problem reported for this environment (ENV with `changes`), without the heading. */
  function problemWith(changes: Record<string, string | undefined>): string {
    try {
      loadBridgeConfig({ ...ENV, ...changes });
    } catch (error) {
      const lines = (error as Error).message.split("\n");
      expect(lines[0]).toBe("Invalid media-stream bridge configuration:");
      expect(lines).toHaveLength(2);
      // Each problem on its own line, indented by two spaces.
      expect(lines[1]).toMatch(/^ {2}\S/);
      return lines[1]!.trim();
    }
    throw new Error(`accepted ${JSON.stringify(changes)}`);
  }

  it("takes host:port with a name, an address or a bracketed IPv6 address, and nothing else", () => {
    expect(loadBridgeConfig({ ...ENV, TWILIO_BRIDGE_HOST: "bridge.internal:80" })).toMatchObject({ host: "bridge.internal", port: 80 });
    expect(loadBridgeConfig({ ...ENV, TWILIO_BRIDGE_HOST: "[fe80::1]:65535" })).toMatchObject({ host: "fe80::1", port: 65535 });
    for (const host of [
      "bridge",
      "bridge:",
      "bridge:123456",
      "a b:80",
      "x/y:80",
      "bridge:80/",
      "/bridge:80",
      "[zz]:80",
      "[::1]",
      "::1:80",
    ]) {
      expect(problemWith({ TWILIO_BRIDGE_HOST: host }), host).toBe("TWILIO_BRIDGE_HOST: must be host:port, e.g. 127.0.0.1:8081");
    }
  });

  it("treats an empty variable as unset", () => {
    expect(
      loadBridgeConfig({ ...ENV, TWILIO_BRIDGE_HOST: "", TWILIO_BRIDGE_HEARTBEAT_INTERVAL: "", TWILIO_BRIDGE_MAX_STREAMS: "" }),
    ).toMatchObject({
      host: "127.0.0.1",
      port: 8081,
      heartbeatIntervalMs: 30_000,
      maxStreams: 200,
    });
    expect(problemWith({ CABLE_URL: "" })).toBe("CABLE_URL: is not set");
  });

  it("takes only a ws:// or wss:// CABLE_URL and only a wss:// TWILIO_STREAM_URL", () => {
    expect(loadBridgeConfig({ ...ENV, CABLE_URL: "wss://cable.example.com/cable" }).cableUrl).toBe("wss://cable.example.com/cable");
    for (const url of ["http://127.0.0.1:8080/cable", "aws://x/cable", "wsx://x/cable", "wsss://x/cable", "not a url"]) {
      expect(problemWith({ CABLE_URL: url }), url).toBe("CABLE_URL: must be a ws:// or wss:// URL");
    }
    for (const url of ["ws://calls.example.com/twilio", "https://calls.example.com/twilio", "awss://x/y", "wssx://x/y"]) {
      expect(problemWith({ TWILIO_STREAM_URL: url }), url).toBe("TWILIO_STREAM_URL: must be the public wss:// URL Twilio connects to");
    }
  });

  it("takes an auth token without spaces", () => {
    for (const token of ["to ken", " token", "token ", "\ttoken"]) {
      expect(problemWith({ TWILIO_AUTH_TOKEN: token }), token).toBe("TWILIO_AUTH_TOKEN: must not contain spaces");
    }
  });

  it("checks the account SID's shape", () => {
    expect(problemWith({ TWILIO_ACCOUNT_SID: "XY0123" })).toBe(
      'TWILIO_ACCOUNT_SID: must start with "AC" followed by letters and digits only',
    );
  });

  it("takes positive whole numbers for the heartbeat and the stream bound", () => {
    expect(loadBridgeConfig({ ...ENV, TWILIO_BRIDGE_MAX_STREAMS: "5", TWILIO_BRIDGE_HEARTBEAT_INTERVAL: "1" })).toMatchObject({
      maxStreams: 5,
      heartbeatIntervalMs: 1_000,
    });
    for (const value of ["abc", "1.5", "-3", "0"]) {
      expect(problemWith({ TWILIO_BRIDGE_HEARTBEAT_INTERVAL: value }), value).toBe(
        "TWILIO_BRIDGE_HEARTBEAT_INTERVAL: must be a whole number of seconds",
      );
      expect(problemWith({ TWILIO_BRIDGE_MAX_STREAMS: value }), value).toBe("TWILIO_BRIDGE_MAX_STREAMS: must be a positive whole number");
    }
  });

  it("takes ANYCABLE_SECRET when TWILIO_BRIDGE_SECRET is not set, and refuses a short secret by name", () => {
    const anycableSecret = "anycable-secret-0123456789";
    expect(loadBridgeConfig({ ...ENV, TWILIO_BRIDGE_SECRET: undefined, ANYCABLE_SECRET: anycableSecret }).secret).toBe(anycableSecret);
    expect(problemWith({ TWILIO_BRIDGE_SECRET: "short" })).toBe("TWILIO_BRIDGE_SECRET: must be at least 16 characters");
  });
});
