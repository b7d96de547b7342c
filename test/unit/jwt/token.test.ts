import { createHmac } from "node:crypto";
import { identificator } from "@anycable/serverless-js";
import { describe, expect, it } from "vitest";
import { z } from "zod";
// The folder's own entry and the one class it needs, not src/index.js: Stryker re-imports a test
// file's whole module graph for every mutant, and the package's entry loads every transport.
import { Connection } from "../../../src/cable/connection.js";
import { issueJwt, JwtError, JwtExpiredError, jwtIdentification, loadJwtConfig, urlWithJwt, verifyJwt } from "../../../src/jwt/index.js";

const NOW = new Date("2026-01-01T00:00:00Z");
const clock = () => NOW;

class TenantConnection extends Connection<{ tenant: string; user: string }> {
  static override identifiers = z.object({ tenant: z.string(), user: z.string() });
}

function claims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1] as string, "base64url").toString("utf8")) as Record<string, unknown>;
}

describe("issueJwt / verifyJwt", () => {
  it("verifies the AnyCable Ruby gem's fixture token (secret qwerty)", () => {
    const token =
      "eyJhbGciOiJIUzI1NiJ9.eyJleHQiOiJ7XCJ1c2VyXCI6XCJ2b3ZhXCIsXCJmZWF0dXJlc1wiOltcInJhaWxzXCIsXCJzdHJlYW1zXCJdfSJ9.5hJpXpC9deAFyfrCbOXpwJ55wm1RwyXRe2trtyVpqK4";
    expect(verifyJwt(token, { secret: "qwerty" })).toEqual({
      identifiers: '{"user":"vova","features":["rails","streams"]}',
      expiresAt: undefined,
    });
    expect(() => verifyJwt(token, { secret: "qwertz" })).toThrow(JwtError);
  });

  it("carries the identifiers string in ext, with iat and an expiry one hour out by default", () => {
    const token = issueJwt('{"user":"ann"}', { secret: "s", now: clock });
    const iat = NOW.getTime() / 1000;
    expect(claims(token)).toEqual({ ext: '{"user":"ann"}', iat, exp: iat + 3600 });
    expect(JSON.parse(Buffer.from(token.split(".")[0] as string, "base64url").toString())).toEqual({ alg: "HS256", typ: "JWT" });
    expect(verifyJwt(token, { secret: "s", now: clock })).toEqual({
      identifiers: '{"user":"ann"}',
      expiresAt: new Date((iat + 3600) * 1000),
    });
  });

  it("honours ttlSeconds, expiresAt, and ttl 0 for no expiry", () => {
    const iat = NOW.getTime() / 1000;
    expect(claims(issueJwt("{}", { secret: "s", now: clock, ttlSeconds: 60 })).exp).toBe(iat + 60);
    expect(claims(issueJwt("{}", { secret: "s", now: clock, expiresAt: new Date("2026-02-01T00:00:00Z") })).exp).toBe(
      new Date("2026-02-01T00:00:00Z").getTime() / 1000,
    );
    expect(claims(issueJwt("{}", { secret: "s", now: clock, ttlSeconds: 0 }))).not.toHaveProperty("exp");
    expect(() => issueJwt("{}", { secret: "s", ttlSeconds: -1 })).toThrow(RangeError);
    expect(() => issueJwt("{}", { secret: "" })).toThrow(TypeError);
  });

  it("refuses expired, not-yet-valid, re-signed, alg-swapped and malformed tokens", () => {
    const token = issueJwt("{}", { secret: "s", now: clock, ttlSeconds: 10 });
    const later = () => new Date(NOW.getTime() + 10_000);
    expect(() => verifyJwt(token, { secret: "s", now: later })).toThrow(JwtExpiredError);
    const [header, payload] = token.split(".") as [string, string];
    // A "none" token, and an HS512 header signed correctly with the right key: both refused.
    const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${payload}.`;
    expect(() => verifyJwt(none, { secret: "s", now: clock })).toThrow(JwtError);
    const hs512 = Buffer.from('{"alg":"HS512"}').toString("base64url");
    const resigned = createHmac("sha256", "s").update(`${hs512}.${payload}`).digest("base64url");
    expect(() => verifyJwt(`${hs512}.${payload}.${resigned}`, { secret: "s", now: clock })).toThrow(/Only HS256/);
    const tamperedPayload = Buffer.from(JSON.stringify({ ext: '{"user":"admin"}' })).toString("base64url");
    expect(() => verifyJwt(`${header}.${tamperedPayload}.${token.split(".")[2]}`, { secret: "s", now: clock })).toThrow(
      /Signature verification failed/,
    );
    for (const bad of ["", "a.b", "a.b.c.d", "é.b.c", 42, null, "x".repeat(20_000)]) {
      expect(() => verifyJwt(bad, { secret: "s" })).toThrow(JwtError);
    }
    const future = issueJwt("{}", { secret: "s", now: () => new Date(NOW.getTime() + 60_000), ttlSeconds: 0 });
    expect(verifyJwt(future, { secret: "s", now: clock }).identifiers).toBe("{}");
  });
});

/** A token signed with `secret` over any header and payload bytes, as a holder of the key could make. */
function signed(secret: string, header: string | Buffer, payload: string | Buffer): string {
  const input = `${Buffer.from(header).toString("base64url")}.${Buffer.from(payload).toString("base64url")}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

describe("verifyJwt on correctly signed tokens", () => {
  const HS256 = '{"alg":"HS256"}';

  it("honours nbf: refused before it, accepted from that second on", () => {
    const nbf = NOW.getTime() / 1000 + 30;
    const token = signed("s", HS256, JSON.stringify({ ext: "{}", nbf }));
    expect(() => verifyJwt(token, { secret: "s", now: clock })).toThrow(new JwtError("Token is not valid yet"));
    expect(verifyJwt(token, { secret: "s", now: () => new Date(nbf * 1000) }).identifiers).toBe("{}");
  });

  it.each([
    ["no ext claim", "{}"],
    ["an ext that is no string", '{"ext":{"user":"ann"}}'],
    ["claims that are no object", '"{}"'],
  ])("refuses %s", (_, payload) => {
    expect(() => verifyJwt(signed("s", HS256, payload), { secret: "s" })).toThrow(new JwtError("Token carries no identifiers (ext claim)"));
  });

  it.each([
    ["a payload that is not JSON", "ext"],
    ["a payload that is not UTF-8", Buffer.from([0x7b, 0xff, 0x7d])],
  ])("refuses %s", (_, payload) => {
    expect(() => verifyJwt(signed("s", HS256, payload), { secret: "s" })).toThrow(new JwtError("Token segment is not base64url JSON"));
  });

  it("refuses a token whose identifiers are not JSON, through jwtIdentification", () => {
    const jwt = jwtIdentification(TenantConnection, { secret: "s" });
    expect(() => jwt.verify(signed("s", HS256, JSON.stringify({ ext: "user=ann" })))).toThrow(
      new JwtError("Token identifiers are not JSON"),
    );
  });
});

describe("misuse is refused where it is written", () => {
  it("issueJwt without identifiers, jwtIdentification without a secret", () => {
    expect(() => issueJwt("", { secret: "s" })).toThrow(new TypeError("A JWT needs the identifiers JSON string"));
    expect(() => jwtIdentification(TenantConnection, { secret: "" })).toThrow(new TypeError("jwtIdentification needs a non-empty secret"));
    expect(() => jwtIdentification(TenantConnection, {} as { secret: string })).toThrow(TypeError);
  });
});

describe("interoperability with @anycable/serverless-js (jose)", () => {
  it("serverless-js reads the identifiers of a token we issue", async () => {
    const token = issueJwt('{"user":"ann"}', { secret: "shared" });
    await expect(identificator("shared", "1h").verifyAndFetch(token)).resolves.toEqual({ user: "ann" });
  });

  it("we read the identifiers of a token serverless-js issues", async () => {
    const token = await identificator("shared", "1h").generateToken({ user: "bob" });
    expect(JSON.parse(verifyJwt(token, { secret: "shared" }).identifiers)).toEqual({ user: "bob" });
  });
});

describe("jwtIdentification(connection class)", () => {
  const jwt = jwtIdentification(TenantConnection, { secret: "s", ttlSeconds: 120, now: clock });

  it("puts the identifiers JSON in the connection schema's key order, as the RPC server registers it", () => {
    const token = jwt.issue({ user: "ann", tenant: "acme" });
    expect(claims(token).ext).toBe('{"tenant":"acme","user":"ann"}');
    expect(claims(token).ext).toBe(TenantConnection.identifiersJson({ user: "ann", tenant: "acme" }));
    expect(jwt.verify(token)).toEqual({ tenant: "acme", user: "ann" });
  });

  it("refuses identifiers its connection class would refuse, when issuing and when verifying", () => {
    expect(() => jwt.issue({ user: "ann" } as never)).toThrow(/Invalid identifiers/);
    const foreign = issueJwt('{"account":1}', { secret: "s", now: clock });
    expect(() => jwt.verify(foreign)).toThrow(JwtError);
  });

  it("builds the connect URL with the token in the jid parameter", () => {
    const url = new URL(jwt.url("ws://cable.example.com/cable?x=1", { tenant: "acme", user: "ann" }));
    expect(url.searchParams.get("x")).toBe("1");
    expect(jwt.verify(url.searchParams.get("jid"))).toEqual({ tenant: "acme", user: "ann" });
    expect(new URL(urlWithJwt("ws://h/cable", "t.o.k", "token")).searchParams.get("token")).toBe("t.o.k");
  });
});

describe("loadJwtConfig", () => {
  it("takes ANYCABLE_JWT_SECRET, else ANYCABLE_SECRET as is, as anycable-go does", () => {
    expect(loadJwtConfig({ ANYCABLE_SECRET: "app" })).toEqual({ secret: "app", ttlSeconds: 3600, param: "jid" });
    expect(loadJwtConfig({ ANYCABLE_SECRET: "app", ANYCABLE_JWT_SECRET: "jwt" }).secret).toBe("jwt");
    expect(loadJwtConfig({}).secret).toBeUndefined();
    expect(loadJwtConfig({ ANYCABLE_SECRET: "app", ANYCABLE_JWT_SECRET: "none" }).secret).toBeUndefined();
    expect(loadJwtConfig({ ANYCABLE_SECRET: "none" }).secret).toBeUndefined();
  });

  it("reads the TTL and parameter name, refusing nonsense", () => {
    expect(loadJwtConfig({ ANYCABLE_JWT_TTL: "60", ANYCABLE_JWT_PARAM: "token" })).toMatchObject({ ttlSeconds: 60, param: "token" });
    expect(() => loadJwtConfig({ ANYCABLE_JWT_TTL: "soon" })).toThrow(/ANYCABLE_JWT_TTL/);
    expect(() => loadJwtConfig({ ANYCABLE_JWT_PARAM: "a b" })).toThrow(/ANYCABLE_JWT_PARAM/);
  });
});
