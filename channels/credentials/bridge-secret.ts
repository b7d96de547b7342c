import { createHmac } from "node:crypto";
import { ConfigError } from "anycable-ts";

/**
 * The secret the media-stream bridge shares with the RPC application and the dashboard:
 * TWILIO_BRIDGE_SECRET, else ANYCABLE_SECRET (the application secret anycable-go derives its own
 * keys from). Undefined when neither is set: the bridge then cannot start, the RPC side refuses
 * every Twilio connection and the dashboard cannot mint stream tokens.
 */
export function loadBridgeSecret(env: NodeJS.ProcessEnv): string | undefined {
  for (const name of ["TWILIO_BRIDGE_SECRET", "ANYCABLE_SECRET"] as const) {
    const value = env[name];
    if (value === undefined || value === "") continue;
    if (value.length < 16) throw new ConfigError(`Invalid Twilio bridge configuration:\n  ${name}: must be at least 16 characters`);
    return value;
  }
  return undefined;
}

/**
 * Each use of the secret gets its own key, hex HMAC-SHA256(key = secret, data = purpose), the
 * way anycable-go derives its broadcast key from --secret ("broadcast-cable"): a value minted for
 * one purpose (a stream token) is never accepted for another (a Connect credential).
 */
export function deriveKey(secret: string, purpose: string): Buffer {
  return Buffer.from(createHmac("sha256", secret).update(purpose).digest("hex"), "utf8");
}
