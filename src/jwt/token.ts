/**
 * AnyCable JWT identification tokens: anycable-go (`--jwt_secret`, or `--secret`) verifies the
 * token a client brings in the connect URL (`?jid=…`) or an `X-JID` header and, when it is
 * valid, registers the session under the token's `ext` claim without calling Connect. `ext`
 * is the identifiers JSON exactly as the RPC server would have returned it from Connect, so
 * channels read the same identifiers either way.
 *
 * HS256 only, on node:crypto: the token has one fixed shape and one algorithm, which is a few
 * lines; a JOSE library would bring key formats and algorithms we must then refuse.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";

/** The token could not be trusted: malformed, wrong algorithm or signature, or no identifiers. */
export class JwtError extends Error {
  override name = "JwtError";
}

/** The token was signed with this secret but its `exp` has passed. */
export class JwtExpiredError extends JwtError {
  override name = "JwtExpiredError";
}

/** What the AnyCable Ruby gem uses when no TTL is configured (one hour). */
export const DEFAULT_JWT_TTL_SECONDS = 3600;

export interface IssueJwtOptions {
  secret: string;
  /** Lifetime in seconds from `now`; default one hour. 0 issues a token that never expires. */
  ttlSeconds?: number;
  /** Absolute expiry; wins over ttlSeconds. A valid date after the epoch's first second. */
  expiresAt?: Date;
  /** Clock for tests. */
  now?: () => Date;
}

export interface VerifyJwtOptions {
  secret: string;
  now?: () => Date;
}

export interface VerifiedJwt {
  /** The `ext` claim: the identifiers JSON string anycable-go hands to RPC calls. */
  identifiers: string;
  /** Expiry, when the token has one. */
  expiresAt: Date | undefined;
}

const HEADER = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");
const BASE64URL = /^[A-Za-z0-9_-]+$/;
// Far above any real token; keeps hostile input from costing an HMAC over megabytes.
const MAX_TOKEN_LENGTH = 16 * 1024;

const headerSchema = z.object({ alg: z.literal("HS256") }).loose();
const claimsSchema = z
  .object({
    ext: z.string(),
    exp: z.number().finite().optional(),
    nbf: z.number().finite().optional(),
  })
  .loose();

function keyOf(secret: string): Buffer {
  if (typeof secret !== "string" || secret === "") throw new TypeError("A non-empty JWT secret is needed");
  return Buffer.from(secret, "utf8");
}

function sign(key: Buffer, input: string): Buffer {
  return createHmac("sha256", key).update(input, "utf8").digest();
}

function seconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/** Signs an identification token carrying `identifiers` (the identifiers JSON string). */
export function issueJwt(identifiers: string, options: IssueJwtOptions): string {
  const key = keyOf(options.secret);
  if (typeof identifiers !== "string" || identifiers === "") throw new TypeError("A JWT needs the identifiers JSON string");
  const now = options.now?.() ?? new Date();
  const ttl = options.ttlSeconds ?? DEFAULT_JWT_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl < 0) throw new RangeError("ttlSeconds must be a whole number of seconds, 0 or more");
  const claims: Record<string, unknown> = { ext: identifiers, iat: seconds(now) };
  if (options.expiresAt) {
    const exp = seconds(options.expiresAt);
    // anycable-go (golang-jwt v3 MapClaims) reads an exp of 0 as "no expiry" and a null one (an
    // Invalid Date serialised) as expired: neither is what the caller asked for.
    if (!(exp >= 1)) throw new RangeError("expiresAt must be a valid date after 1970-01-01T00:00:01Z");
    claims.exp = exp;
  } else if (ttl > 0) claims.exp = seconds(now) + ttl;
  const input = `${HEADER}.${Buffer.from(JSON.stringify(claims), "utf8").toString("base64url")}`;
  return `${input}.${sign(key, input).toString("base64url")}`;
}

function decodeJson(segment: string): unknown {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(segment, "base64url")));
  } catch {
    throw new JwtError("Token segment is not base64url JSON");
  }
}

/**
 * Checks a token as anycable-go does (HS256 signature, `exp`, `nbf`, an `ext` string) and
 * returns its identifiers. The signature is checked, in constant time, before any claim is read.
 */
export function verifyJwt(token: unknown, options: VerifyJwtOptions): VerifiedJwt {
  const key = keyOf(options.secret);
  if (typeof token !== "string" || token.length === 0 || token.length > MAX_TOKEN_LENGTH) throw new JwtError("Malformed token");
  const parts = token.split(".");
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) throw new JwtError("Malformed token");
  const [header, payload, signature] = parts as [string, string, string];
  const expected = sign(key, `${header}.${payload}`);
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new JwtError("Signature verification failed");
  if (!headerSchema.safeParse(decodeJson(header)).success) throw new JwtError("Only HS256 tokens are accepted");
  const claims = claimsSchema.safeParse(decodeJson(payload));
  if (!claims.success) throw new JwtError("Token carries no identifiers (ext claim)");
  const now = seconds(options.now?.() ?? new Date());
  const { exp, nbf, ext } = claims.data;
  if (exp !== undefined && now >= exp) throw new JwtExpiredError("Token has expired");
  if (nbf !== undefined && now < nbf) throw new JwtError("Token is not valid yet");
  return { identifiers: ext, expiresAt: exp === undefined ? undefined : new Date(exp * 1000) };
}
