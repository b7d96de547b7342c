import { createHmac, timingSafeEqual } from "node:crypto";

/** base64url HMAC-SHA256 of `payload`. */
export function sign(key: Buffer, payload: string): string {
  return createHmac("sha256", key).update(payload, "utf8").digest("base64url");
}

/**
 * Compares a presented MAC with the expected one in constant time. Both are the same fixed-length
 * encoding of a SHA-256 MAC, so only a malformed value (which says nothing about the key) can
 * differ in length.
 */
export function macMatches(key: Buffer, payload: string, presented: string): boolean {
  const expected = Buffer.from(sign(key, payload), "utf8");
  const candidate = Buffer.from(presented, "utf8");
  return candidate.length === expected.length && timingSafeEqual(candidate, expected);
}
