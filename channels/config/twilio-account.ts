import { ConfigError, z } from "anycable-ts";

// Real account SIDs are "AC" + 32 hex digits; recordings and simulators use shorter ones
// (DEV_ACCOUNT_SID in development-defaults.ts), so only the prefix and the alphabet are checked.
export const accountSid = z.string().regex(/^AC[0-9A-Za-z]+$/, 'must start with "AC" followed by letters and digits only');

/**
 * TWILIO_ACCOUNT_SID for the RPC side: undefined when unset (every Twilio connection is then
 * refused), a ConfigError when set to something that can never match an account — a typo there
 * would otherwise turn into every call failing quietly.
 */
export function loadTwilioAccountSid(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.TWILIO_ACCOUNT_SID;
  if (raw === undefined || raw === "") return undefined;
  const parsed = accountSid.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`Invalid Twilio configuration:\n  TWILIO_ACCOUNT_SID: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  }
  return parsed.data;
}
