/**
 * Signed stream names as cable_ready (Rails' MessageVerifier with a JSON serializer) writes them
 * and anycable-go verifies them:
 *
 *   strict_base64(JSON.stringify(name)) + "--" + lowercase_hex(HMAC-SHA256(secret, base64_text))
 *
 * The HMAC key is the secret's UTF-8 bytes and the HMAC input is the base64 text, not the JSON.
 * A page embeds the signed name; the subscription proves the server chose that stream for it.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { streamNameFrom, type StreamKey } from "./stream-key.js";

const SEPARATOR = "--";
const HEX_DIGEST = /^[0-9a-f]{64}$/;
// Standard alphabet, padded to a multiple of four: what Base64.strict_encode64 and Go's
// StdEncoding produce. URL-safe or unpadded forms are refused rather than guessed at.
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})+$|^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)$/;
// Far above any real stream name; keeps a hostile identifier from costing an HMAC over megabytes.
const MAX_SIGNED_LENGTH = 8 * 1024;

export type StreamVerificationFailure =
  /** Not a string at all. */
  | "not-a-string"
  /** Empty, too long, or not `<base64>--<64 lowercase hex>`. */
  | "malformed"
  /** Well formed, but the digest is not this secret's digest of the data. */
  | "bad-digest"
  /** Signed with this secret, but the data is not strict standard base64 of UTF-8 text. */
  | "bad-base64"
  /** Decodes to text that is not JSON. */
  | "bad-json"
  /** Decodes to JSON that is not a string (anycable-go only accepts string names). */
  | "not-a-string-name"
  /** Decodes to the empty string, which names no stream. */
  | "empty-name";

export type StreamVerification = { ok: true; stream: string } | { ok: false; reason: StreamVerificationFailure };

function requireSecret(secret: string): Buffer {
  if (typeof secret !== "string" || secret === "") throw new TypeError("A non-empty secret is needed to sign or verify stream names");
  return Buffer.from(secret, "utf8");
}

function digest(key: Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

/** Signs a stream name (`"calls"`, or parts joined by the compound rule: `["call", sid]`). */
export function signStreamName(name: StreamKey, secret: string): string {
  const key = requireSecret(secret);
  const data = Buffer.from(JSON.stringify(streamNameFrom(name)), "utf8").toString("base64");
  return `${data}${SEPARATOR}${digest(key, data).toString("hex")}`;
}

/**
 * Checks a signed stream name and says why it was refused. The digest is checked, in constant
 * time, before anything is decoded, so unauthenticated input never reaches the JSON parser.
 */
export function verifyStreamNameWithReason(signed: unknown, secret: string): StreamVerification {
  const key = requireSecret(secret);
  if (typeof signed !== "string") return { ok: false, reason: "not-a-string" };
  if (signed.length === 0 || signed.length > MAX_SIGNED_LENGTH) return { ok: false, reason: "malformed" };

  const parts = signed.split(SEPARATOR);
  if (parts.length !== 2) return { ok: false, reason: "malformed" };
  const [data = "", hex = ""] = parts;
  if (data === "" || !HEX_DIGEST.test(hex)) return { ok: false, reason: "malformed" };

  const expected = digest(key, data);
  const given = Buffer.from(hex, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "bad-digest" };

  if (!STRICT_BASE64.test(data)) return { ok: false, reason: "bad-base64" };
  const bytes = Buffer.from(data, "base64");
  // Non-zero bits in the last character's padding decode silently; a strict decoder refuses them.
  if (bytes.toString("base64") !== data) return { ok: false, reason: "bad-base64" };

  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return { ok: false, reason: "bad-base64" };
  }

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: "bad-json" };
  }
  if (typeof value !== "string") return { ok: false, reason: "not-a-string-name" };
  if (value === "") return { ok: false, reason: "empty-name" };
  return { ok: true, stream: value };
}

/** The stream name a signed name stands for, or null when it was not signed with `secret`. */
export function verifyStreamName(signed: unknown, secret: string): string | null {
  const result = verifyStreamNameWithReason(signed, secret);
  return result.ok ? result.stream : null;
}
