import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** The phrase anycable-go (rpc/rpc.go) and the Ruby gem sign to derive the HTTP RPC secret. */
const HTTP_RPC_SECRET_PHRASE = "rpc-cable";

/** Hex HMAC-SHA256(key = application secret, data = "rpc-cable"), as anycable-go derives it from --secret. */
export function deriveHttpRpcSecret(secret: string): string {
  return createHmac("sha256", secret).update(HTTP_RPC_SECRET_PHRASE).digest("hex");
}

/**
 * A check that an Authorization header carries `Bearer <secret>`. Compared in constant time over
 * keyed digests, so neither the secret's bytes nor its length leak through timing.
 */
export function bearerCheck(secret: string): (authorization: string | undefined) => boolean {
  const key = randomBytes(32);
  const digest = (value: string): Buffer => createHmac("sha256", key).update(value).digest();
  const expected = digest(`Bearer ${secret}`);
  return (authorization) => authorization !== undefined && timingSafeEqual(expected, digest(authorization));
}
