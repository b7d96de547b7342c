import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** Constant-time: hashing first makes both sides the same length whatever was typed. */
export function passwordMatches(expected: string, given: string): boolean {
  const a = createHash("sha256").update(expected, "utf8").digest();
  const b = createHash("sha256").update(given, "utf8").digest();
  return timingSafeEqual(a, b);
}

/** Signs session cookies. Derived from the password, so changing the password signs everyone out. */
export function sessionKey(password: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHmac("sha256", password).update("call-monitor dashboard session v1").digest());
}

/** The password of an `Authorization: Basic` header (any user name), if there is one. */
export function basicPassword(header: string | undefined): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon === -1 ? undefined : decoded.slice(colon + 1);
}
