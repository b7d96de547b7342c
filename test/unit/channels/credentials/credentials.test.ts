import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { BridgeCredentials } from "../../../../channels/credentials/bridge-credential.js";
import { deriveKey, loadBridgeSecret } from "../../../../channels/credentials/bridge-secret.js";
import { StreamTokens } from "../../../../channels/credentials/stream-token.js";

const SECRET = "unit-secret-0123456789abcdef";
const CALL = "CA0123456789abcdef0123456789abcdef";
const OTHER = "CAfedcba9876543210fedcba9876543210";

describe("the bridge secret", () => {
  it("is TWILIO_BRIDGE_SECRET, else ANYCABLE_SECRET, else unset; short ones are refused", () => {
    expect(loadBridgeSecret({ TWILIO_BRIDGE_SECRET: "a".repeat(16), ANYCABLE_SECRET: "b".repeat(16) })).toBe("a".repeat(16));
    expect(loadBridgeSecret({ TWILIO_BRIDGE_SECRET: "", ANYCABLE_SECRET: "b".repeat(16) })).toBe("b".repeat(16));
    expect(loadBridgeSecret({})).toBeUndefined();
    expect(() => loadBridgeSecret({ ANYCABLE_SECRET: "short" })).toThrow(/ANYCABLE_SECRET: must be at least 16/);
  });

  it("derives one key per purpose the way anycable-go derives its broadcast key", () => {
    const expected = createHmac("sha256", SECRET).update("twilio-stream-token").digest("hex");
    expect(deriveKey(SECRET, "twilio-stream-token").toString()).toBe(expected);
    expect(deriveKey(SECRET, "twilio-bridge-cable")).not.toEqual(deriveKey(SECRET, "twilio-stream-token"));
  });
});

describe("stream tokens", () => {
  let now = 1_800_000_000_000;
  const tokens = new StreamTokens(SECRET, { ttlMs: 60_000, now: () => now });

  it("are valid for the call they were minted for, until they expire", () => {
    const token = tokens.mint(CALL);
    expect(token).toMatch(/^v1\.\d+\.[A-Za-z0-9_-]{43}$/);
    expect(tokens.verify(CALL, token)).toBe("valid");
    expect(tokens.verify(OTHER, token)).toBe("invalid");
    now += 60_000;
    expect(tokens.verify(CALL, token)).toBe("expired");
    now -= 60_000;
  });

  it("refuse what was not minted here", () => {
    const token = tokens.mint(CALL);
    expect(tokens.verify(CALL, undefined)).toBe("missing");
    expect(tokens.verify(CALL, "")).toBe("missing");
    expect(tokens.verify(CALL, "v1.123")).toBe("malformed");
    expect(new StreamTokens("another-secret-0123456789", { now: () => now }).verify(CALL, token)).toBe("invalid");
    // A later expiry written into a real token breaks its MAC.
    expect(
      tokens.verify(
        CALL,
        token.replace(/^v1\.(\d+)/, (_m, t: string) => `v1.${Number(t) + 3_600_000}`),
      ),
    ).toBe("invalid");
    // A credential for the Connect is not a stream token, even with the same secret.
    expect(tokens.verify(CALL, new BridgeCredentials(SECRET).issue(CALL))).toBe("malformed");
  });

  it("are minted only for call SIDs", () => {
    expect(() => tokens.mint("CA123")).toThrow(TypeError);
  });
});

describe("bridge credentials", () => {
  let now = 1_800_000_000_000;
  const credentials = new BridgeCredentials(SECRET, { now: () => now });

  it("name the call they were issued for, for a minute", () => {
    const credential = credentials.issue(CALL);
    expect(credentials.verify(credential)).toEqual({ ok: true, callSid: CALL });
    now += 60_001;
    expect(credentials.verify(credential)).toEqual({ ok: false, reason: "expired" });
    now -= 60_001;
  });

  it("cannot be moved to another call or made with another secret", () => {
    const credential = credentials.issue(CALL);
    expect(credentials.verify(credential.replace(CALL, OTHER))).toEqual({ ok: false, reason: "invalid" });
    expect(new BridgeCredentials("another-secret-0123456789", { now: () => now }).verify(credential)).toEqual({
      ok: false,
      reason: "invalid",
    });
    expect(credentials.verify(`${credential} `)).toEqual({ ok: false, reason: "malformed" });
  });

  it("are issued, and stream tokens minted, only for a call SID", () => {
    expect(() => credentials.issue("CA123")).toThrow(TypeError);
    expect(() => new StreamTokens(SECRET).mint(CALL.toUpperCase())).toThrow(TypeError);
  });

  it("are malformed when their call part is not a call SID, whatever the rest", () => {
    const [, , issued, mac] = credentials.issue(CALL).split(".");
    for (const sid of ["CA123", CALL.toUpperCase(), `CA${"g".repeat(32)}`, `AC${CALL.slice(2)}`]) {
      expect(credentials.verify(`v1.${sid}.${issued}.${mac}`)).toEqual({ ok: false, reason: "malformed" });
    }
  });
});
