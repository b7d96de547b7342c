import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { Connection } from "../../../src/cable/connection.js";
import { issueJwt, JwtError, JwtExpiredError, jwtIdentification, loadJwtConfig, verifyJwt } from "../../../src/jwt/index.js";

// What a client may send in place of a token, beyond what token.test.ts covers: each check of
// verifyJwt is pinned by the exact error it gives, so a check that gave way to a later one (the
// signature, the JSON parser) would be seen.

const NOW = new Date("2026-01-01T00:00:00Z");
const HS256 = '{"alg":"HS256"}';

/** A token signed with `secret` over any header and payload bytes, as a holder of the key could make. */
function signed(secret: string, header: string | Buffer, payload: string | Buffer): string {
  const input = `${Buffer.from(header).toString("base64url")}.${Buffer.from(payload).toString("base64url")}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

/** A correctly signed token exactly `length` characters long (its ext claim padded to fit). */
function signedOfLength(secret: string, length: number): string {
  // Each byte of payload is 4/3 characters; start a little below the padding that fills `length`.
  for (let pad = Math.max(0, Math.floor((length * 3) / 4) - 200); pad < length; pad++) {
    const token = signed(secret, HS256, JSON.stringify({ ext: `{"user":"${"a".repeat(pad)}"}` }));
    if (token.length === length) return token;
    if (token.length > length) break;
  }
  throw new Error(`no token of exactly ${length} characters`);
}

describe("verifyJwt refuses what is not a token before checking any signature", () => {
  const token = issueJwt('{"user":"ann"}', { secret: "s" });

  it("accepts a token of 16 KiB and refuses one character more, however well signed", () => {
    expect(verifyJwt(signedOfLength("s", 16 * 1024), { secret: "s" }).identifiers).toMatch(/^\{"user":"a+"\}$/);
    const longer = signedOfLength("s", 16 * 1024 + 1);
    expect(() => verifyJwt(longer, { secret: "s" })).toThrow(new JwtError("Malformed token"));
  });

  it.each([
    ["an empty string", ""],
    ["two segments", "a.b"],
    ["four segments", "a.b.c.d"],
    ["an empty signature", "a.b."],
    ["a character outside base64url in the header", "é.b.c"],
  ])("calls %s a malformed token", (_, input) => {
    expect(() => verifyJwt(input, { secret: "s" })).toThrow(new JwtError("Malformed token"));
  });

  // Node's base64url decoder skips characters outside the alphabet, so without the alphabet check
  // these would decode to the real signature and pass: one token, many spellings.
  it.each([
    ["a signature with a trailing '!'", `${token}!`],
    ["a signature with a leading '+'", token.replace(/\.([^.]+)$/, ".+$1")],
    ["a padded signature", `${token}=`],
    ["a header with a stray '/'", `/${token}`],
  ])("refuses a well-signed token spelt with extra characters: %s", (_, input) => {
    expect(() => verifyJwt(input, { secret: "s" })).toThrow(new JwtError("Malformed token"));
  });

  it("reports a truncated signature as a failed signature, not a crash", () => {
    expect(() => verifyJwt(token.slice(0, -2), { secret: "s" })).toThrow(new JwtError("Signature verification failed"));
  });

  it("refuses a non-string token without reading it", () => {
    for (const input of [42, null, undefined, { length: 3, split: () => ["a", "b", "c"] }]) {
      expect(() => verifyJwt(input, { secret: "s" })).toThrow(new JwtError("Malformed token"));
    }
  });
});

describe("verifyJwt on tokens signed with the right key", () => {
  it("refuses an ext claim whose bytes are not UTF-8 instead of reading them as replacement characters", () => {
    const payload = Buffer.concat([Buffer.from('{"ext":"'), Buffer.from([0xff]), Buffer.from('"}')]);
    expect(() => verifyJwt(signed("s", HS256, payload), { secret: "s" })).toThrow(new JwtError("Token segment is not base64url JSON"));
  });

  it("refuses a header that is not JSON with the same error as a payload that is not", () => {
    expect(() => verifyJwt(signed("s", "HS256", JSON.stringify({ ext: "{}" })), { secret: "s" })).toThrow(
      new JwtError("Token segment is not base64url JSON"),
    );
  });

  it("expires at exp exactly, and reads expiresAt from exp in seconds", () => {
    const exp = NOW.getTime() / 1000 + 5;
    const token = signed("s", HS256, JSON.stringify({ ext: "{}", exp }));
    expect(verifyJwt(token, { secret: "s", now: () => new Date(exp * 1000 - 1) })).toEqual({
      identifiers: "{}",
      expiresAt: new Date(exp * 1000),
    });
    expect(() => verifyJwt(token, { secret: "s", now: () => new Date(exp * 1000) })).toThrow(new JwtExpiredError("Token has expired"));
  });

  it("checks the expiry against the real clock when none is given", () => {
    const past = signed("s", HS256, JSON.stringify({ ext: "{}", exp: Math.floor(Date.now() / 1000) - 1 }));
    expect(() => verifyJwt(past, { secret: "s" })).toThrow(JwtExpiredError);
    const notYet = signed("s", HS256, JSON.stringify({ ext: "{}", nbf: Math.floor(Date.now() / 1000) + 60 }));
    expect(() => verifyJwt(notYet, { secret: "s" })).toThrow(new JwtError("Token is not valid yet"));
  });

  it("refuses a non-finite expiry", () => {
    // JSON has no Infinity; 1e999 parses to it.
    const forever = `${Buffer.from(HS256).toString("base64url")}.${Buffer.from('{"ext":"{}","exp":1e999}').toString("base64url")}`;
    const token = `${forever}.${createHmac("sha256", "s").update(forever).digest("base64url")}`;
    expect(() => verifyJwt(token, { secret: "s" })).toThrow(new JwtError("Token carries no identifiers (ext claim)"));
  });
});

describe("token errors say what they are", () => {
  it("names JwtError and JwtExpiredError, the expired one a kind of JwtError", () => {
    const expired = issueJwt("{}", { secret: "s", now: () => NOW, ttlSeconds: 1 });
    let caught: unknown;
    try {
      verifyJwt(expired, { secret: "s" });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(JwtError);
    expect((caught as Error).name).toBe("JwtExpiredError");
    expect(new JwtError("x").name).toBe("JwtError");
  });
});

describe("secrets and options are checked where they are given", () => {
  it.each([
    ["an empty secret", ""],
    ["a secret that is no string", 42],
  ])("refuses %s when issuing and when verifying", (_, secret) => {
    const error = new TypeError("A non-empty JWT secret is needed");
    expect(() => issueJwt("{}", { secret: secret as string })).toThrow(error);
    expect(() => verifyJwt("a.b.c", { secret: secret as string })).toThrow(error);
  });

  it("refuses identifiers that are no string", () => {
    expect(() => issueJwt({ user: "ann" } as never, { secret: "s" })).toThrow(new TypeError("A JWT needs the identifiers JSON string"));
  });

  it.each([1.5, -1, Number.NaN])("refuses a ttlSeconds of %s", (ttlSeconds) => {
    expect(() => issueJwt("{}", { secret: "s", ttlSeconds })).toThrow(
      new RangeError("ttlSeconds must be a whole number of seconds, 0 or more"),
    );
  });

  // anycable-go (golang-jwt v3 MapClaims) takes exp 0 as "never expires", so a token whose expiry
  // was computed from a missing date (new Date(0)) would have been valid forever there.
  it.each([
    ["the epoch", new Date(0)],
    ["within the epoch's first second", new Date(999)],
    ["before the epoch", new Date(-60_000)],
    ["an invalid date", new Date(Number.NaN)],
  ])("refuses an expiresAt at %s, which anycable-go would not read as that expiry", (_, expiresAt) => {
    expect(() => issueJwt("{}", { secret: "s", expiresAt })).toThrow(
      new RangeError("expiresAt must be a valid date after 1970-01-01T00:00:01Z"),
    );
  });

  it("takes an expiresAt from the epoch's second second on", () => {
    const token = issueJwt("{}", { secret: "s", expiresAt: new Date(1000), now: () => new Date(0) });
    expect(verifyJwt(token, { secret: "s", now: () => new Date(0) }).expiresAt).toEqual(new Date(1000));
  });

  it("issues against the real clock when none is given", () => {
    const before = Math.floor(Date.now() / 1000);
    const token = issueJwt("{}", { secret: "s", ttlSeconds: 60 });
    const { iat, exp } = JSON.parse(Buffer.from(token.split(".")[1] as string, "base64url").toString()) as { iat: number; exp: number };
    expect(iat).toBeGreaterThanOrEqual(before);
    expect(iat).toBeLessThanOrEqual(before + 5);
    expect(exp).toBe(iat + 60);
  });
});

class UserConnection extends Connection<{ user: string }> {
  static override identifiers = z.object({ user: z.string() });
}

describe("jwtIdentification's options", () => {
  const clock = () => NOW;

  it("puts the token in the query parameter it is given", () => {
    const jwt = jwtIdentification(UserConnection, { secret: "s", param: "token", now: clock });
    const url = new URL(jwt.url("wss://cable.example.com/cable", { user: "ann" }));
    expect(url.searchParams.has("jid")).toBe(false);
    expect(jwt.verify(url.searchParams.get("token"))).toEqual({ user: "ann" });
  });

  it("issues URL tokens with its ttl and clock, and lets issue() override the ttl or set an expiry", () => {
    const jwt = jwtIdentification(UserConnection, { secret: "s", ttlSeconds: 30, now: clock });
    const exp = (token: string) => verifyJwt(token, { secret: "s", now: clock }).expiresAt;
    const fromUrl = new URL(jwt.url("ws://h/cable", { user: "ann" })).searchParams.get("jid") as string;
    expect(exp(fromUrl)).toEqual(new Date(NOW.getTime() + 30_000));
    expect(exp(jwt.issue({ user: "ann" }))).toEqual(new Date(NOW.getTime() + 30_000));
    expect(exp(jwt.issue({ user: "ann" }, { ttlSeconds: 90 }))).toEqual(new Date(NOW.getTime() + 90_000));
    const at = new Date("2026-03-01T00:00:00Z");
    expect(exp(jwt.issue({ user: "ann" }, { expiresAt: at }))).toEqual(at);
  });

  it("verifies against its own clock unless verify() is given another", () => {
    const jwt = jwtIdentification(UserConnection, { secret: "s", ttlSeconds: 30, now: clock });
    const token = jwt.issue({ user: "ann" });
    const later = () => new Date(NOW.getTime() + 30_000);
    expect(jwt.verify(token)).toEqual({ user: "ann" });
    expect(() => jwt.verify(token, { now: later })).toThrow(JwtExpiredError);
    const lateClock = jwtIdentification(UserConnection, { secret: "s", now: later });
    expect(() => lateClock.verify(token)).toThrow(JwtExpiredError);
  });

  it("names the connection class whose identifiers a token does not match", () => {
    const jwt = jwtIdentification(UserConnection, { secret: "s" });
    expect(() => jwt.verify(issueJwt('{"account":1}', { secret: "s" }))).toThrow(
      new JwtError("Token identifiers do not match UserConnection"),
    );
  });
});

describe("loadJwtConfig's errors", () => {
  it("names the variable and what it expects", () => {
    expect(() => loadJwtConfig({ ANYCABLE_JWT_PARAM: "a b" })).toThrow(
      "Invalid JWT configuration:\n  ANYCABLE_JWT_PARAM: expected a query parameter name",
    );
    expect(() => loadJwtConfig({ ANYCABLE_JWT_PARAM: "a=b" })).toThrow(/ANYCABLE_JWT_PARAM/);
    expect(() => loadJwtConfig({ ANYCABLE_JWT_TTL: "0" })).toThrow(/ANYCABLE_JWT_TTL/);
  });

  it("keeps the secret exactly as given", () => {
    expect(loadJwtConfig({ ANYCABLE_JWT_SECRET: " spaced " }).secret).toBe(" spaced ");
  });
});
